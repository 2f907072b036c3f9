import { join } from 'node:path';
import { TetherError } from '../shared/errors.ts';
import { serverProofPayload, verifySignedText } from '../shared/identity.ts';
import type { AgentToServer, ServerToAgent } from '../shared/protocol/agent.ts';
import { startAccess } from './access/wiring.ts';
import { enforceRemoteAccessOff } from './access/switch-off.ts';
import type { AgentConfig } from './config.ts';
import { describeError } from './errors.ts';
import { CapabilityFlow } from './consent/capability-flow.ts';
import { ConsentFlow } from './consent/flow.ts';
import { ConsentServer } from './consent/server.ts';
import { buildConsentState } from './consent/state.ts';
import { platformBackend } from './desktop/platform.ts';
import { ScreenBanner, bannerText } from './desktop/screen-banner.ts';
import { DesktopService } from './desktop/service.ts';
import type { DesktopBackend } from './desktop/types.ts';
import { DEMO_FACILITY_DEVICES } from './devices/demo-facility.ts';
import { DeviceHealthTracker } from './devices/health.ts';
import { DeviceRegistry } from './devices/registry.ts';
import { DeviceSimulator } from './devices/simulator.ts';
import { renewEnrolment, type Enrolment } from './enrolment.ts';
import { FacilityLedger } from './audit/ledger.ts';
import { FacilityAuditRecorder } from './audit/recorder.ts';
import { LedgerTail } from './audit/tail.ts';
import type { Identity } from './identity.ts';
import { ReleaseKeyPin } from './software/release-pin.ts';
import { ServerLink } from './link.ts';
import { subsystem, type Logger } from './log.ts';
import { DropFolder } from './logs/drop-folder.ts';
import { LogHub } from './logs/hub.ts';
import { createPhiFilter } from './phi/filter.ts';
import type { Policy } from './policy.ts';
import { ServiceOutbox } from './service-data/outbox.ts';
import { ServiceReporter } from './service-data/reporter.ts';
import { SessionCoordinator } from './session/coordinator.ts';
import { SessionRegistry } from './session/registry.ts';
import { startSoftware } from './software/wiring.ts';

export interface AgentParts {
  config: AgentConfig;
  policy: Policy;
  identity: Identity;
  enrolment: Enrolment;
  log: Logger;
  /** The desktop back end; by default the one for this operating system. */
  desktopBackend?: DesktopBackend;
}

/** A running agent; `stop()` closes peers, the consent page and the server link. */
export interface RunningAgent {
  consentUrl: string;
  link: ServerLink;
  hub: LogHub;
  desktop: DesktopService;
  stop(): Promise<void>;
}

/** Wires the agent's parts together and starts them; the link connects last. */
export async function startAgent(parts: AgentParts): Promise<RunningAgent> {
  const { config, policy, identity, enrolment, log } = parts;

  // Every line passes the facility's PHI filter before anything can send it on.
  const hub = new LogHub(5000, createPhiFilter(policy.phi));
  const devices = new DeviceRegistry();
  const sessions = new SessionRegistry();
  // The server's key, pinned at enrolment: it signs releases and proves the server on
  // every connection.
  const pin = new ReleaseKeyPin(config.dataDir, subsystem(log, 'software'), enrolment.releaseKey);
  const link = new ServerLink({
    serverUrl: config.serverUrl,
    identity,
    log: subsystem(log, 'link'),
    inventory: () => devices.list(),
    trustServer: (hello, nonce) => serverProven(pin, hello, nonce),
  });
  // The facility's own ledger hears every decision the agent sends before the server does.
  const ledger = new FacilityLedger({
    dataDir: config.dataDir,
    identity,
    facility: () => enrolment.facility.name,
    log: subsystem(log, 'audit'),
  });
  const audit = new FacilityAuditRecorder(ledger, sessions);
  const send = (message: AgentToServer): boolean => {
    audit.outgoing(message);
    return link.send(message);
  };
  const software = startSoftware({
    dataDir: config.dataDir,
    devices,
    link,
    log,
    failing: config.simulateInstallFailure,
    pin,
  });
  // The switch, the policy's ways in and one-time codes: decided here, whatever the server.
  const access = startAccess({ policy, dataDir: config.dataDir, log: subsystem(log, 'access') });
  const flow = new ConsentFlow({
    registry: sessions,
    policy,
    access: access.gate,
    send,
    log: subsystem(log, 'consent'),
  });
  const capabilities = new CapabilityFlow({
    registry: sessions,
    policy,
    access: access.gate,
    send,
    log: subsystem(log, 'consent'),
  });
  const desktopLog = subsystem(log, 'desktop');
  const desktop = new DesktopService({
    backend: parts.desktopBackend ?? platformBackend(desktopLog),
    log: desktopLog,
  });
  await desktop.probe();
  const coordinator = new SessionCoordinator({
    registry: sessions,
    flow,
    capabilities,
    hub,
    devices,
    desktop,
    policy,
    send,
    identity,
    relay: { serverUrl: config.serverUrl, identity },
    log: subsystem(log, 'session'),
  });
  const consentState = () =>
    buildConsentState(sessions, {
      facilityName: enrolment.facility.name,
      agentId: identity.agentId,
      agentName: config.name,
      online: link.online,
      grantedByDefault: policy.grantedByDefault,
      viewing: (sessionId) => desktop.viewing(sessionId) !== null,
      updates: () => software.updates(),
      access: access.view(),
      startedByCode: (sessionId) => flow.startedByCode(sessionId),
      startedUnattended: (sessionId) => flow.startedUnattended(sessionId),
    });
  const banner =
    policy.screenBanner && process.env.DISPLAY
      ? new ScreenBanner({ display: process.env.DISPLAY, log: desktopLog })
      : null;
  const consent = new ConsentServer({
    port: config.consentPort,
    staticDir: config.staticDir,
    log: subsystem(log, 'consent-page'),
    state: consentState,
    record: new LedgerTail({
      file: ledger.file,
      agentKey: identity.publicKeyBase64,
      log: subsystem(log, 'audit'),
    }),
    actions: {
      // A running session's request is for more capabilities; any other, for the session.
      approve: (sessionId, granted) =>
        capabilities.has(sessionId)
          ? capabilities.approve(sessionId, granted)
          : flow.approve(sessionId, granted),
      deny: (sessionId) =>
        capabilities.has(sessionId) ? capabilities.deny(sessionId) : flow.deny(sessionId),
      revoke: (sessionId, capability) => capabilities.revoke(sessionId, capability),
      answerUpdate: (jobId, decision) => software.answer(jobId, decision),
      end: (sessionId) => {
        if (!sessions.has(sessionId)) throw new TetherError('not_found', 'This session has ended.');
        coordinator.endByFacility(sessionId);
      },
      createCode: (granted) => {
        const code = access.gate.createCode(granted);
        audit.codeCreated(code.capabilities, code.expiresAt);
        return code;
      },
      cancelCode: () => {
        if (access.codes.cancel()) audit.codeCancelled();
      },
      setRemoteAccess: (on) => {
        if (on !== access.remoteAccess.isOn) audit.remoteAccess(on);
        access.remoteAccess.set(on);
      },
    },
  });

  const health = new DeviceHealthTracker();
  const serviceLog = subsystem(log, 'service-data');
  const reporter = new ServiceReporter({
    outbox: new ServiceOutbox({
      file: join(config.dataDir, 'service-outbox.json'),
      log: serviceLog,
    }),
    health,
    devices,
    hub,
    send,
    intervalMs: config.serviceReportSeconds * 1000,
    log: serviceLog,
  });
  const simulator = config.simulateDevices
    ? new DeviceSimulator({
        devices: DEMO_FACILITY_DEVICES,
        registry: devices,
        hub,
        health,
        log: subsystem(log, 'devices'),
      })
    : undefined;
  const dropFolder = new DropFolder({
    dir: config.dropboxDir,
    hub,
    log: subsystem(log, 'dropbox'),
  });

  let wasOnline = false;
  link.on('message', (message) => {
    audit.incoming(message);
    coordinator.handle(message);
  });
  link.on('message', (message) => {
    if (message.type === 'service.ack') reporter.acknowledged(message.seq);
    // The access password exchange, and its end when the server ends the session first.
    if (message.type === 'unattended.finish') flow.finishUnattended(message.sessionId, message.ke3);
    if (message.type === 'session.ended') flow.forgetUnattended(message.sessionId);
  });
  link.once('refused', () => void enrolAgainOnce(config, identity, pin, log));
  link.on('state', (state) => {
    if (wasOnline && state !== 'online') coordinator.linkLost();
    if (state === 'online') link.send({ type: 'agent.access', remoteAccess: access.state() });
    wasOnline = state === 'online';
    reporter.setOnline(wasOnline);
    consent.broadcast();
  });
  // Staff see the same on the consent page and, where there is a screen, on the screen.
  const showActivity = (): void => {
    consent.broadcast();
    banner?.show(bannerText(consentState().active));
  };
  sessions.on('change', showActivity);
  access.codes.on('change', () => consent.broadcast());
  access.remoteAccess.on('change', (on) => {
    if (!on) {
      enforceRemoteAccessOff({
        codes: access.codes,
        flow,
        capabilities,
        registry: sessions,
        endByFacility: (sessionId, detail) => coordinator.endByFacility(sessionId, detail),
      });
    }
    if (link.online) link.send({ type: 'agent.access', remoteAccess: access.state() });
    consent.broadcast();
  });
  software.onChange(() => consent.broadcast());
  desktop.on('change', showActivity);
  devices.on('change', (list) => {
    if (link.online) link.send({ type: 'agent.inventory', devices: list });
  });

  const consentUrl = await consent.listen();
  reporter.start();
  simulator?.start();
  await dropFolder.start();
  link.start();

  return {
    consentUrl,
    link,
    hub,
    desktop,
    async stop() {
      simulator?.stop();
      reporter.stop();
      await dropFolder.stop();
      flow.dispose();
      capabilities.dispose();
      access.stop();
      software.stop();
      coordinator.closeAll();
      await desktop.close();
      banner?.close();
      link.close();
      await consent.close();
      ledger.close();
    },
  };
}

/**
 * Whether the hello's signature over this connection's nonce verifies with the pinned key
 * (or, for an agent enrolled before the server had one, with the key the hello presents,
 * which the software part then pins: trust on first use).
 */
async function serverProven(
  pin: ReleaseKeyPin,
  hello: Extract<ServerToAgent, { type: 'hello' }>,
  nonce: string,
): Promise<boolean> {
  const key = pin.key ?? hello.releaseKey;
  if (!key || !hello.serverProof) return false;
  return verifySignedText(key, serverProofPayload(hello.agentId, nonce), hello.serverProof);
}

/**
 * A server that refuses a key it should know has most likely lost its records (a reset
 * database). With a one-time token at hand the agent enrols the same key again, once, and
 * trusts the key of the server that took the token; without one it keeps retrying, and
 * the log says what an administrator must do.
 */
async function enrolAgainOnce(
  config: AgentConfig,
  identity: Identity,
  pin: ReleaseKeyPin,
  log: Logger,
): Promise<void> {
  const enrolLog = subsystem(log, 'enrolment');
  if (!config.enrolmentToken) {
    enrolLog.warn(
      'the server does not accept this agent; enrol it again with TETHER_ENROLMENT_TOKEN',
    );
    return;
  }

  try {
    const enrolment = await renewEnrolment({
      dataDir: config.dataDir,
      serverUrl: config.serverUrl,
      name: config.name,
      token: config.enrolmentToken,
      identity,
      log: enrolLog,
    });
    // The token this agent was given vouches for the server that took it, and its key.
    if (enrolment.releaseKey) {
      pin.repin(enrolment.releaseKey, 'enrolled again with a one-time token');
    }
  } catch (error) {
    enrolLog.warn({ error: describeError(error) }, 'enrolling again failed');
  }
}
