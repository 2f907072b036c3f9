import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
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
import { MAX_PICTURE_BYTES, MAX_RELAY_FRAME_BYTES, RELAY_CHANNELS } from './protocol.ts';

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

/**
 * Two endpoints joined by a wire that records every frame it carries and every count of
 * frames taken, passed on as the server passes them.
 */
function pair(consoleKeys: RelayKeys, agentKeys: RelayKeys) {
  const wire: Uint8Array[] = [];
  const took: number[] = [];
  const received: { side: string; channel: number; text: string }[] = [];
  const failures: TetherError[] = [];
  const far: { agent?: RelayEndpoint } = {};
  const consoleEnd: RelayEndpoint = new RelayEndpoint({
    keys: consoleKeys,
    emit: (frame) => {
      wire.push(frame);
      far.agent?.receive(frame);
    },
    took: (count) => {
      took.push(count);
      far.agent?.acknowledged(count);
    },
    deliver: (channel, message) =>
      received.push({ side: 'console', channel, text: fromUtf8(message) }),
    failed: (error) => failures.push(error),
  });
  const agent = new RelayEndpoint({
    keys: agentKeys,
    emit: (frame) => {
      wire.push(frame);
      consoleEnd.receive(frame);
    },
    took: (count) => {
      took.push(count);
      consoleEnd.acknowledged(count);
    },
    deliver: (channel, message) =>
      received.push({ side: 'agent', channel, text: fromUtf8(message) }),
    failed: (error) => failures.push(error),
  });
  far.agent = agent;
  return { consoleEnd, agent, wire, took, received, failures };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('relay key agreement and frames', () => {
  it('lets both ends agree and carry messages both ways, long ones in several frames', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const { consoleEnd, agent, wire, received, failures } = pair(consoleKeys, agentKeys);
    // Longer than two frames: only a picture may be this long.
    const long = 'x'.repeat(MAX_RELAY_FRAME_BYTES * 2.5);

    consoleEnd.sendText(RELAY_CHANNELS.main, '{"type":"logs.subscribe","backlog":5}');
    agent.sendText(RELAY_CHANNELS.picture, long);
    consoleEnd.sendText(RELAY_CHANNELS.input, '{"type":"clipboard.get"}');
    await vi.waitFor(() => expect(received.length).toBe(3), { timeout: 5_000 });
    await settle();

    expect(failures).toEqual([]);
    // In order on each side; the two directions do not wait for each other.
    expect(received.filter((r) => r.side === 'agent')).toEqual([
      { side: 'agent', channel: 0, text: '{"type":"logs.subscribe","backlog":5}' },
      { side: 'agent', channel: 1, text: '{"type":"clipboard.get"}' },
    ]);
    expect(received.filter((r) => r.side === 'console')).toEqual([
      { side: 'console', channel: 2, text: long },
    ]);
    expect(wire.every((frame) => frame.length <= MAX_RELAY_FRAME_BYTES)).toBe(true);
    expect(wire.length).toBeGreaterThanOrEqual(5);
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

  it('keeps at most a window of frames not yet taken, and sends more as they are', async () => {
    const { agentKeys } = await handshake();
    const emitted: Uint8Array[] = [];
    const endpoint = new RelayEndpoint({
      keys: agentKeys,
      window: 3,
      emit: (frame) => emitted.push(frame),
      took: () => undefined,
      deliver: () => undefined,
      failed: (error) => {
        throw error;
      },
    });
    // Two of these do not fit in one frame.
    const picture = new Uint8Array(MAX_RELAY_FRAME_BYTES / 2 + 1);

    for (let i = 0; i < 10; i += 1) endpoint.send(RELAY_CHANNELS.picture, picture);
    await settle();
    expect(emitted.length).toBe(3);
    expect(endpoint.bufferedAmount).toBeGreaterThan(10 * picture.length);

    endpoint.acknowledged(2);
    await settle();
    expect(emitted.length).toBe(5);
    endpoint.acknowledged(3);
    await settle();
    expect(emitted.length).toBe(8);
    expect(emitted.every((frame) => frame.length <= MAX_RELAY_FRAME_BYTES)).toBe(true);
  });

  it('puts messages that wait for the window into one frame, delivered one by one', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const { agent, consoleEnd, wire, took, received, failures } = pair(consoleKeys, agentKeys);
    const lines = Array.from({ length: 10 }, (_, i) => `{"type":"logs.line","n":${i}}`);

    for (const line of lines) agent.sendText(RELAY_CHANNELS.main, line);
    await settle();

    expect(failures).toEqual([]);
    expect(received.map((r) => r.text)).toEqual(lines);
    // Four alone while the window had room; the six that waited shared the fifth frame.
    expect(wire.length).toBe(5);
    // Small frames are reported two at a time (half the window), the last after a pause.
    expect(took).toEqual([2, 2, 1]);
    expect(agent.bufferedAmount).toBe(0);
    expect(consoleEnd.bufferedAmount).toBe(0);
  });

  it('says at once that it took each large frame', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const { agent, wire, took, received, failures } = pair(consoleKeys, agentKeys);

    agent.send(RELAY_CHANNELS.picture, new Uint8Array(MAX_PICTURE_BYTES));
    // Four MiB sealed and opened: longer than a settle on a busy machine.
    await vi.waitFor(() => expect(agent.bufferedAmount).toBe(0), { timeout: 5_000 });

    expect(failures).toEqual([]);
    expect(received.map((r) => r.text.length)).toEqual([MAX_PICTURE_BYTES]);
    expect(wire.length).toBe(Math.ceil(MAX_PICTURE_BYTES / (MAX_RELAY_FRAME_BYTES - 30)));
    expect(took).toEqual(wire.map(() => 1));
  });

  it('ends the endpoint when an opened frame does not hold whole records', async () => {
    const { consoleKeys, agentKeys } = await handshake();
    const failures: string[] = [];
    const endpoint = new RelayEndpoint({
      keys: consoleKeys,
      emit: () => undefined,
      took: () => undefined,
      deliver: () => undefined,
      failed: (error) => failures.push(error.message),
    });
    // Properly sealed with the agent's key, but the record claims more bytes than follow.
    const record = new Uint8Array([RELAY_CHANNELS.main, 0, 0, 0, 0, 9, 0x7b, 0x7d]);

    endpoint.receive(await new FrameSealer(agentKeys.send).seal(record));
    await settle();
    expect(failures).toEqual(['A relay frame was malformed; the relay was ended.']);
  });

  it('ends the endpoint when the other end says it took frames that were never sent', async () => {
    const { agentKeys } = await handshake();
    const failures: string[] = [];
    const endpoint = new RelayEndpoint({
      keys: agentKeys,
      emit: () => undefined,
      took: () => undefined,
      deliver: () => undefined,
      failed: (error) => failures.push(error.message),
    });

    endpoint.sendText(RELAY_CHANNELS.main, 'x');
    await settle();
    endpoint.acknowledged(2);
    expect(failures).toEqual([
      'The relay acknowledged more frames than were sent; the relay was ended.',
    ]);
    expect(endpoint.closed).toBe(true);
  });
});
