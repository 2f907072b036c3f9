import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real coturn on loopback for one test, with TURN REST-style authentication. */
export interface Coturn {
  /** The static-auth-secret; give it to the signaling server as `turn.secret`. */
  secret: string;
  realm: string;
  /** `turn:127.0.0.1:<port>?transport=udp`. */
  udpUrl: string;
  /** `turn:127.0.0.1:<port>?transport=tcp` (the same listener as UDP). */
  tcpUrl: string;
  /** `turns:127.0.0.1:<port>?transport=tcp`, with a self-signed certificate. */
  tlsUrl: string;
  /** Base64 SHA-256 of the certificate's public key, for Chromium's SPKI allow-list. */
  spkiHash: string;
  /** What coturn printed, for a failing test's report. */
  log: string[];
  /** Stops coturn and removes its temporary folder. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;

/** The path of `turnserver`, or null when it is not installed. */
export function findTurnserver(): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/usr/sbin']);
  for (const dir of dirs) {
    const path = join(dir, 'turnserver');
    if (dir && existsSync(path)) return path;
  }

  return null;
}

/**
 * Starts coturn listening on 127.0.0.1 only, on free ports: one UDP+TCP listener and one
 * TLS listener whose certificate is made now with openssl. Loopback peers are allowed
 * because both peers of a test live on this machine; production refuses them (see
 * deploy/coturn/turnserver.conf). Resolves once both listeners accept connections.
 */
export async function startCoturn(): Promise<Coturn> {
  const binary = findTurnserver();
  if (!binary) throw new Error('turnserver (coturn) is not installed');

  const dir = mkdtempSync(join(tmpdir(), 'tether-coturn-'));
  const { certFile, keyFile, spkiHash } = makeCertificate(dir);
  const secret = randomBytes(24).toString('base64url');
  const realm = 'tether.test';
  const port = await freePort();
  const tlsPort = await freePort();
  const relayBase = 40_000 + Math.floor(Math.random() * 20_000);

  const child = spawn(
    binary,
    [
      '-n', // no configuration file: everything is on this line
      `--listening-ip=${HOST}`,
      `--relay-ip=${HOST}`,
      `--listening-port=${port}`,
      `--tls-listening-port=${tlsPort}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + 200}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      `--realm=${realm}`,
      '--allow-loopback-peers',
      '--no-multicast-peers',
      '--no-cli',
      '--no-dtls',
      '--no-tlsv1',
      '--no-tlsv1_1',
      '--no-rfc5780',
      '--no-software-attribute',
      '--fingerprint',
      `--cert=${certFile}`,
      `--pkey=${keyFile}`,
      `--db=${join(dir, 'turndb')}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log.push(line);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    await Promise.all([waitForTcp(port, child, log), waitForTcp(tlsPort, child, log)]);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    secret,
    realm,
    udpUrl: `turn:${HOST}:${port}?transport=udp`,
    tcpUrl: `turn:${HOST}:${port}?transport=tcp`,
    tlsUrl: `turns:${HOST}:${tlsPort}?transport=tcp`,
    spkiHash,
    log,
    stop,
  };
}

/** A self-signed P-256 certificate for 127.0.0.1, valid for a day. */
function makeCertificate(dir: string): { certFile: string; keyFile: string; spkiHash: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=IP:${HOST}`,
    ],
    { stdio: 'ignore' },
  );
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({
    type: 'spki',
    format: 'der',
  });

  return { certFile, keyFile, spkiHash: createHash('sha256').update(spki).digest('base64') };
}

/** A port free for both TCP and UDP on loopback right now. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    server.listen(0, HOST);
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();

    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, HOST, () => resolve(true));
    });
    udp.close();
    if (free) return port;
  }

  throw new Error('no free port for coturn on 127.0.0.1');
}

async function waitForTcp(port: number, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`coturn exited with code ${child.exitCode}:\n${log.slice(-20).join('\n')}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, HOST);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  throw new Error(`coturn did not listen on ${HOST}:${port}:\n${log.slice(-20).join('\n')}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
