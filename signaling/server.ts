import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { MESSAGE_EVENT } from '../shared/protocol/console.ts';
import { RELAY_NAMESPACE } from '../shared/relay/protocol.ts';
import type { IceTransportPolicy } from '../shared/protocol/signal.ts';
import { createAdmin, type Admin } from './admin.ts';
import { AgentStore } from './agents/agent-store.ts';
import { ChallengeStore } from './agents/challenges.ts';
import { AgentDirectory } from './agents/directory.ts';
import { EnrolmentService } from './agents/enrolment.ts';
import { FacilityStore } from './agents/facilities.ts';
import { AgentRegistry } from './agents/registry.ts';
import { serverProofPayload } from '../shared/identity.ts';
import { AuditCheckpoints } from './audit/checkpoints.ts';
import { AuditLedger } from './audit/ledger.ts';
import { AuditQuery } from './audit/query.ts';
import { auditRoutes } from './audit/routes.ts';
import { AccountAdmin } from './administration/accounts.ts';
import { AgentAdmin } from './administration/agents.ts';
import { adminRoutes } from './administration/routes.ts';
import { cookieIsSecure, loadCookieSecret } from './auth/cookie.ts';
import { RecoveryCodeStore } from './auth/recovery-codes.ts';
import { SecretBox } from './auth/secret-box.ts';
import { SignInService } from './auth/sign-in.ts';
import { SignInTickets } from './auth/sign-in-ticket.ts';
import { SignInThrottle } from './auth/throttle.ts';
import { TwoFactorService } from './auth/two-factor.ts';
import { UserStore } from './auth/users.ts';
import { WebSessionStore } from './auth/web-sessions.ts';
import { httpAccess } from './http/access.ts';
import { accountRoutes } from './http/account-routes.ts';
import { apiRoutes } from './http/api-routes.ts';
import { requestListener } from './http/app.ts';
import type { RouteKey } from './http/router.ts';
import { staticFiles } from './http/static-files.ts';
import type { FirmwareCatalog } from './fleet/catalog.ts';
import { fleetRoutes } from './fleet/routes.ts';
import { FleetService } from './fleet/service.ts';
import { FleetStore } from './fleet/store.ts';
import { createLogger, type Logger } from './log.ts';
import { RelayForwarder, type RelayTap } from './relay/forwarder.ts';
import { setUpRelayNamespace } from './relay/namespace.ts';
import {
  agentConnect,
  consoleConnect,
  DEFAULT_TRANSPORT_POLICY,
  type TransportPolicy,
} from './relay/transport-policy.ts';
import { SessionBroker } from './sessions/broker.ts';
import { ConsolePresence } from './sessions/console-presence.ts';
import { SessionStore } from './sessions/session-store.ts';
import { SoftwareDelivery } from './software/delivery.ts';
import { JobStore } from './software/job-store.ts';
import { PackageStore } from './software/package-store.ts';
import { loadReleaseKey } from './software/release-key.ts';
import { DEFAULT_MAX_PACKAGE_BYTES, softwareRoutes } from './software/routes.ts';
import { setUpAgentNamespace } from './sockets/agent-namespace.ts';
import { setUpConsoleNamespace } from './sockets/console-namespace.ts';
import { createIo, createRelayIo } from './sockets/io.ts';
import { agentRoom, userRoom, webSessionRoom } from './sockets/rooms.ts';
import { openDatabase } from './storage/database.ts';
import { TaskTracker } from './task-tracker.ts';
import { IceIssuer } from './turn/ice-issuer.ts';
import { checkIceSettings, type TurnOptions } from './turn/settings.ts';

export type { Admin } from './admin.ts';

export interface SignalingOptions {
  port: number;
  /** Interface to listen on; default 0.0.0.0. */
  host?: string;
  /** Holds tether.db and secrets/. */
  dataDir: string;
  /** The built console; default `<repo>/dist`. */
  staticDir?: string;
  /** pino level; default LOG_LEVEL or info. Ignored when `logger` is given. */
  logLevel?: string;
  /** A logger to use instead of making one, e.g. when a script runs several parts. */
  logger?: Logger;
  /**
   * If the technician has no console socket for this long, their open sessions end with
   * 'failed' (detail: the console disconnected). Default 60 000 ms.
   */
  consoleGraceMs?: number;
  /**
   * How long a running session whose path broke (the agent's link dropped, or the
   * console lost its WebRTC or relay path) waits for a path to come back before it ends
   * as 'agent_offline' or 'failed'. Default 60 000 ms.
   */
  reconnectGraceMs?: number;
  /** The current firmware release per device model, for the fleet's alerts. Default: the
   * newest firmware package uploaded here. */
  firmwareCatalog?: FirmwareCatalog;
  /** Largest software package an admin may upload, in bytes. Default 256 MiB. */
  maxPackageBytes?: number;
  /** TURN servers whose credentials each approved session gets; absent, direct paths only. */
  turn?: TurnOptions;
  /** `relay` forces both peers through TURN; needs `turn`. Default `all`. */
  iceTransportPolicy?: IceTransportPolicy;
  /**
   * Whether sessions may use WebRTC, and how long a console waits for it before falling
   * back to the encrypted relay. Default: allowed, 8 s.
   */
  transport?: Partial<TransportPolicy>;
  /** Sees every relay frame the server forwards (opaque bytes); for tests. */
  relayTap?: RelayTap;
  /**
   * The address people use for the console, e.g. `https://tether.example.org`. When it
   * starts with https:// (TLS ends here or at a proxy in front), the session cookie is
   * `Secure`. Default: none, for plain HTTP on a trusted network or this machine.
   */
  publicUrl?: string;
}

export interface SignalingServer {
  /** `http://localhost:<port>`. */
  url: string;
  /** The port actually bound, also when 0 was asked for. */
  port: number;
  admin: Admin;
  /** Uploaded packages; also answers the latest firmware version per model. */
  packages: PackageStore;
  /** Every HTTP API route, for tests that each is in the permission table. */
  routes(): RouteKey[];
  /** Ends open sessions, drops every socket, stops listening and closes the database. */
  close(): Promise<void>;
}

const PURGE_INTERVAL_MS = 60 * 60_000;

/** Starts the signaling server: storage, HTTP API, static console, and both namespaces. */
export async function startSignaling(opts: SignalingOptions): Promise<SignalingServer> {
  const root = opts.logger ?? createLogger(opts.logLevel);
  const log = (subsystem: string): Logger => root.child({ subsystem });
  // Checked before anything opens, so a bad setting leaves nothing half started.
  const iceSettings = checkIceSettings(opts.turn, opts.iceTransportPolicy);
  const transport = { ...DEFAULT_TRANSPORT_POLICY, ...opts.transport };

  const db = await openDatabase(opts.dataDir, log('storage'));
  const audit = new AuditLedger(db);
  const users = new UserStore(db);
  const cookieSecret = loadCookieSecret(opts.dataDir);
  const webSessions = new WebSessionStore(db, cookieSecret);
  const facilities = new FacilityStore(db);
  const agents = new AgentStore(db);
  const registry = new AgentRegistry();
  const directory = new AgentDirectory(agents, registry);
  const challenges = new ChallengeStore();
  const releaseKey = loadReleaseKey(opts.dataDir);
  const checkpoints = new AuditCheckpoints(audit, releaseKey, log('audit'));
  const enrolment = new EnrolmentService({
    db,
    agents,
    facilities,
    audit,
    log: log('agents'),
    releaseKey: releaseKey.publicKeyBase64,
  });
  const tasks = new TaskTracker(log('server'));

  const throttle = new SignInThrottle();
  const twoFactor = new TwoFactorService({
    users,
    codes: new RecoveryCodeStore(db),
    box: SecretBox.load(opts.dataDir),
    throttle,
    audit,
    log: log('auth'),
  });
  const signIn = new SignInService({
    users,
    sessions: webSessions,
    throttle,
    tickets: new SignInTickets(cookieSecret),
    twoFactor,
    audit,
    log: log('auth'),
  });
  const api = apiRoutes({
    signIn,
    webSessions,
    enrolment,
    challenges,
    audit,
    secureCookie: cookieIsSecure(opts.publicUrl),
    onSignOut: (hash) => io.of('/console').in(webSessionRoom(hash)).disconnectSockets(true),
    log: log('http'),
  });
  api.mount(accountRoutes({ twoFactor, users }));
  api.mount(
    adminRoutes({
      accounts: new AccountAdmin({
        users,
        twoFactor,
        audit,
        log: log('admin'),
        signOutEverywhere: async (userId, why) => {
          await webSessions.revokeAllOf(userId);
          consoles.in(userRoom(userId)).disconnectSockets(true);
          await broker.endForTechnician(userId, 'failed', why);
        },
      }),
      agents: new AgentAdmin({
        agents,
        registry,
        facilities,
        enrolment,
        audit,
        log: log('admin'),
        cutOff: async (agentId, why) => {
          await Promise.all(
            broker
              .openSessionIdsOfAgent(agentId)
              .map((sessionId) => broker.endByAgent(agentId, sessionId, 'failed', why)),
          );
          agentSockets.in(agentRoom(agentId)).disconnectSockets(true);
          consoles.emit(MESSAGE_EVENT, { type: 'agents.snapshot', agents: await directory.list() });
        },
      }),
    }),
  );
  const packages = new PackageStore(db, opts.dataDir, releaseKey);
  const jobs = new JobStore(db);
  const fleetStore = new FleetStore(db);
  const delivery = new SoftwareDelivery({
    packages,
    jobs,
    directory,
    audit,
    releaseKey,
    log: log('software'),
    isOnline: (agentId) => registry.isOnline(agentId),
    reportedDevices: (agentId) => fleetStore.reportedDevices(agentId),
    toAgent: (agentId, message) =>
      void agentSockets.to(agentRoom(agentId)).emit(MESSAGE_EVENT, message),
    toConsoles: (message) => void consoles.emit(MESSAGE_EVENT, message),
  });
  api.mount(
    softwareRoutes({
      webSessions,
      packages,
      jobs,
      delivery,
      directory,
      audit,
      releaseKey,
      maxPackageBytes: opts.maxPackageBytes ?? DEFAULT_MAX_PACKAGE_BYTES,
      log: log('software'),
    }),
  );
  const fleet = new FleetService({
    store: fleetStore,
    agents,
    registry,
    // Firmware uploaded here is the current release unless the caller knows better.
    catalog: opts.firmwareCatalog ?? packages,
    log: log('fleet'),
  });
  api.mount(fleetRoutes({ fleet, webSessions, log: log('fleet') }));
  api.mount(
    auditRoutes({
      ledger: audit,
      query: new AuditQuery(db),
      serverKey: releaseKey.publicKeyBase64,
      log: log('audit'),
    }),
  );
  const staticDir = opts.staticDir ?? resolve(import.meta.dirname, '..', 'dist');
  const files = staticFiles(staticDir, log('http'));

  // The listener must exist before socket.io attaches: socket.io then takes /socket.io/
  // requests for itself and passes every other request on to it.
  const http = createServer(
    requestListener({
      api,
      staticFiles: files,
      authorize: httpAccess(webSessions),
      log: log('http'),
    }),
  );
  const io = createIo(http, log('sockets'));
  const relayIo = createRelayIo(http, log('sockets'));
  const consoles = io.of('/console');
  const agentSockets = io.of('/agent');

  const broker = new SessionBroker({
    sessions: new SessionStore(db),
    agents,
    registry,
    audit,
    log: log('sessions'),
    ice: new IceIssuer(iceSettings, log('turn')),
    reconnectGraceMs: opts.reconnectGraceMs,
    outbox: {
      toUser: (userId, message) =>
        void consoles.to(userRoom(userId)).emit(MESSAGE_EVENT, consoleConnect(message, transport)),
      toAgent: (agentId, message) =>
        void agentSockets
          .to(agentRoom(agentId))
          .emit(MESSAGE_EVENT, agentConnect(message, transport)),
    },
  });
  await broker.endLeftovers();
  const relay = new RelayForwarder({
    broker,
    agents,
    audit,
    toAgent: (agentId, message) =>
      void agentSockets.to(agentRoom(agentId)).emit(MESSAGE_EVENT, message),
    tap: opts.relayTap,
    log: log('relay'),
  });
  setUpRelayNamespace(relayIo.of(RELAY_NAMESPACE), {
    webSessions,
    challenges,
    agents,
    forwarder: relay,
    log: log('relay'),
  });

  const graceMs = opts.consoleGraceMs ?? 60_000;
  const presence = new ConsolePresence(graceMs, (userId) =>
    tasks.track(broker.endForTechnician(userId, 'failed', 'the console disconnected')),
  );
  const agentChanged = (agentId: string): void =>
    tasks.track(
      directory.view(agentId).then((agent) => {
        if (agent) consoles.emit(MESSAGE_EVENT, { type: 'agent.update', agent });
      }),
    );

  setUpConsoleNamespace(consoles, {
    webSessions,
    directory,
    broker,
    presence,
    log: log('console'),
  });
  setUpAgentNamespace(agentSockets, {
    agents,
    challenges,
    registry,
    broker,
    audit,
    agentChanged,
    track: (work) => tasks.track(work),
    log: log('agents'),
    serviceData: fleet,
    software: delivery,
    releaseKey: releaseKey.publicKeyBase64,
    proveServer: (agentId, nonce) => releaseKey.sign(serverProofPayload(agentId, nonce)),
  });

  const purge = setInterval(() => {
    tasks.track(webSessions.purgeExpired());
    tasks.track(fleetStore.prune());
  }, PURGE_INTERVAL_MS);
  purge.unref();

  await listen(http, opts.port, opts.host ?? '0.0.0.0');
  const port = (http.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  root.child({ subsystem: 'server' }).info({ url, dataDir: opts.dataDir }, 'signaling listening');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    clearInterval(purge);
    presence.close();
    await broker.endAll('failed', 'the server is shutting down');
    // Together: each waits for the HTTP server to close, which waits for the other's sockets.
    await Promise.all([relayIo.close(), io.close()]);
    http.closeAllConnections();
    await tasks.settle();
    await broker.drain();
    await checkpoints.stop();
    await db.destroy();
    root.child({ subsystem: 'server' }).info('signaling closed');
  };

  return {
    url,
    port,
    admin: createAdmin({ facilities, users, enrolment, directory, audit }),
    packages,
    routes: () => api.routes(),
    close: () => (closing ??= close()),
  };
}

function listen(http: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolveListen();
    });
  });
}
