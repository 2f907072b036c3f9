import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TetherError } from '../errors.ts';
import { fromUtf8, utf8 } from './bytes.ts';
import {
  deriveRelayKeys,
  FrameOpener,
  FrameSealer,
  makeEphemeral,
  relayTranscript,
  verifyAgentSignature,
  type RelayKeys,
} from './crypto.ts';
import { RelayEndpoint } from './endpoint.ts';
import { MAX_RELAY_FRAME_BYTES, RELAY_CHANNELS } from './protocol.ts';

const SESSION = 'ses-relay-test';

function identity(): { publicKey: string; sign(text: string): string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    publicKey: Buffer.from(jwk.x as string, 'base64url').toString('base64'),
    sign: (text) => sign(null, Buffer.from(text), privateKey).toString('base64'),
  };
}

/** Runs the handshake as the console and the agent do, and returns both ends' keys. */
async function handshake(agentIdentity = identity(), trusted = agentIdentity.publicKey) {
  const consoleSide = await makeEphemeral();
  const agentSide = await makeEphemeral();
  const transcript = relayTranscript(SESSION, consoleSide.publicKey, agentSide.publicKey);
  const signature = agentIdentity.sign(transcript);

  await verifyAgentSignature(trusted, transcript, signature);
  const consoleKeys = await deriveRelayKeys(
    'console',
    consoleSide,
    agentSide.publicKey,
    transcript,
  );
  const agentKeys = await deriveRelayKeys('agent', agentSide, consoleSide.publicKey, transcript);
  return { consoleKeys, agentKeys };
}

/** Two endpoints joined by a wire that records every frame it carries. */
function pair(consoleKeys: RelayKeys, agentKeys: RelayKeys) {
  const wire: Uint8Array[] = [];
  const received: { side: string; channel: number; text: string }[] = [];
  const failures: TetherError[] = [];
  const far: { agent?: RelayEndpoint } = {};
  const consoleEnd: RelayEndpoint = new RelayEndpoint({
    keys: consoleKeys,
    emit: async (frame) => {
      wire.push(frame);
      far.agent?.receive(frame);
    },
    deliver: (channel, message) =>
      received.push({ side: 'console', channel, text: fromUtf8(message) }),
    failed: (error) => failures.push(error),
  });
  const agent = new RelayEndpoint({
    keys: agentKeys,
    emit: async (frame) => {
      wire.push(frame);
      consoleEnd.receive(frame);
    },
    deliver: (channel, message) =>
      received.push({ side: 'agent', channel, text: fromUtf8(message) }),
    failed: (error) => failures.push(error),
  });
  far.agent = agent;
  return { consoleEnd, agent, wire, received, failures };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('relay key agreement and frames', () => {
  it('lets both ends agree and carry messages both ways, long ones in several frames', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const { consoleEnd, agent, wire, received, failures } = pair(consoleKeys, agentKeys);
    const long = 'x'.repeat(MAX_RELAY_FRAME_BYTES * 3);

    consoleEnd.sendText(RELAY_CHANNELS.main, '{"type":"logs.subscribe","backlog":5}');
    agent.sendText(RELAY_CHANNELS.main, long);
    consoleEnd.sendText(RELAY_CHANNELS.input, '{"type":"clipboard.get"}');
    await settle();

    expect(failures).toEqual([]);
    expect(received).toEqual([
      { side: 'agent', channel: 0, text: '{"type":"logs.subscribe","backlog":5}' },
      { side: 'agent', channel: 1, text: '{"type":"clipboard.get"}' },
      { side: 'console', channel: 0, text: long },
    ]);
    expect(wire.every((frame) => frame.length <= MAX_RELAY_FRAME_BYTES)).toBe(true);
    expect(wire.length).toBeGreaterThan(4);
    expect(consoleEnd.bufferedAmount).toBe(0);
  });

  it('does not put the plaintext on the wire', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const { agent, wire } = pair(consoleKeys, agentKeys);

    agent.sendText(RELAY_CHANNELS.main, 'Infusion pump PX-300 occlusion alarm');
    await settle();

    const seen = wire.map((frame) => Buffer.from(frame).toString('latin1')).join('');
    expect(wire.length).toBe(1);
    expect(seen).not.toContain('occlusion');
  });

  it('refuses an answer signed by a key other than the enrolled one', async () => {
    const enrolled = identity();
    const impostor = identity();

    await expect(handshake(impostor, enrolled.publicKey)).rejects.toThrow(
      /not signed by the facility agent's enrolled key/,
    );
  });

  it('refuses a signature over another session', async () => {
    const agentIdentity = identity();
    const consoleSide = await makeEphemeral();
    const agentSide = await makeEphemeral();
    const other = relayTranscript('ses-other', consoleSide.publicKey, agentSide.publicKey);
    const signature = agentIdentity.sign(other);
    const transcript = relayTranscript(SESSION, consoleSide.publicKey, agentSide.publicKey);

    await expect(
      verifyAgentSignature(agentIdentity.publicKey, transcript, signature),
    ).rejects.toMatchObject({ code: 'proof_invalid' });
  });

  it('refuses a tampered frame', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const frame = await new FrameSealer(agentKeys.send).seal(utf8('dose 5 ml/h'));
    const last = frame.length - 1;
    frame[last] = (frame[last] as number) ^ 1;

    await expect(new FrameOpener(consoleKeys.receive).open(frame)).rejects.toThrow(
      /altered on the way/,
    );
  });

  it('refuses a replayed frame and a reordered one', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const sealer = new FrameSealer(agentKeys.send);
    const first = await sealer.seal(utf8('one'));
    const second = await sealer.seal(utf8('two'));
    const third = await sealer.seal(utf8('three'));
    const opener = new FrameOpener(consoleKeys.receive);

    expect(fromUtf8(await opener.open(first))).toBe('one');
    await expect(opener.open(first)).rejects.toThrow(/frame 0 was replayed/);
    await expect(opener.open(third)).rejects.toThrow(/frame 2 arrived out of order/);
    expect(fromUtf8(await opener.open(second))).toBe('two');
  });

  it('ends the endpoint with words when a replayed frame reaches it', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const { agent, consoleEnd, wire, failures } = pair(consoleKeys, agentKeys);
    agent.sendText(RELAY_CHANNELS.main, 'hello');
    await settle();

    consoleEnd.receive(wire[0] as Uint8Array);
    await settle();

    expect(failures.map((e) => e.message)).toEqual([
      'Relay frame 0 was replayed (expected 1); the relay was ended.',
    ]);
    expect(consoleEnd.closed).toBe(true);
  });

  it('keeps at most a window of frames unacknowledged', async () => {
    const { agentKeys } = await handshake();
    const pending: (() => void)[] = [];
    const endpoint = new RelayEndpoint({
      keys: agentKeys,
      window: 3,
      emit: () => new Promise<void>((resolve) => pending.push(resolve)),
      deliver: () => undefined,
      failed: (error) => {
        throw error;
      },
    });

    for (let i = 0; i < 10; i += 1) endpoint.sendText(RELAY_CHANNELS.main, `line ${i}`);
    await settle();
    expect(pending.length).toBe(3);
    expect(endpoint.bufferedAmount).toBeGreaterThan(0);

    pending.splice(0, 3).forEach((ack) => ack());
    await settle();
    expect(pending.length).toBe(3);
  });

  it('ends the endpoint when the server refuses a frame', async () => {
    const { agentKeys } = await handshake();
    const failures: string[] = [];
    const endpoint = new RelayEndpoint({
      keys: agentKeys,
      emit: () => Promise.reject(new TetherError('invalid_state', 'The session has ended.')),
      deliver: () => undefined,
      failed: (error) => failures.push(error.message),
    });

    endpoint.sendText(RELAY_CHANNELS.main, 'x');
    await settle();
    expect(failures).toEqual(['The session has ended.']);
  });
});
