import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * `reset`: the proxy drops every tunnel and refuses new ones, as when it restarts.
 * `blackhole`: nothing moves and nothing is answered, as when a cable is pulled out.
 */
export type CutMode = 'reset' | 'blackhole';

/** A running test proxy; see startConnectProxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY or HTTP_PROXY. */
  url: string;
  port: number;
  /** How many CONNECT requests the proxy has accepted so far. */
  readonly tunnels: number;
  cut(mode: CutMode): void;
  /** Undoes a cut: paused tunnels move again and held CONNECTs are answered. */
  restore(): void;
  close(): Promise<void>;
}

const BAD_GATEWAY = 'HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n';

interface Tunnel {
  client: Duplex;
  upstream: Socket;
}

interface HeldConnect {
  request: IncomingMessage;
  client: Duplex;
  head: Buffer;
}

/**
 * A small HTTP proxy that only tunnels (CONNECT), on 127.0.0.1 and a free port, like the
 * ones hospitals send outbound traffic through. Tests cut it to see how a client behaves
 * when the line drops. It logs nothing.
 */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const open = new Set<Tunnel>();
  const held: HeldConnect[] = [];
  let mode: CutMode | undefined;
  let tunnels = 0;

  const close = (tunnel: Tunnel): void => {
    open.delete(tunnel);
    tunnel.client.destroy();
    tunnel.upstream.destroy();
  };

  const accept = ({ request, client, head }: HeldConnect): void => {
    if (client.destroyed) return;
    const [host, port] = splitAuthority(request.url ?? '');
    const upstream = connect(port, host);
    const tunnel = { client, upstream };
    const refuse = (): void => void client.end(BAD_GATEWAY);
    client.on('close', () => close(tunnel));
    upstream.once('error', refuse);
    upstream.once('connect', () => {
      upstream.off('error', refuse);
      tunnels += 1;
      open.add(tunnel);
      upstream.on('error', () => close(tunnel));
      upstream.on('close', () => close(tunnel));
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      flow(tunnel);
    });
  };

  const server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => client.destroy());
    if (mode === 'reset') {
      client.end(BAD_GATEWAY);
    } else if (mode === 'blackhole') {
      held.push({ request, client, head });
    } else {
      accept({ request, client, head });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get tunnels() {
      return tunnels;
    },
    cut(next) {
      mode = next;
      for (const tunnel of open) {
        if (next === 'reset') close(tunnel);
        else stall(tunnel);
      }
    },
    restore() {
      if (mode === 'blackhole') for (const tunnel of open) flow(tunnel);
      mode = undefined;
      for (const connect of held.splice(0)) accept(connect);
    },
    async close() {
      for (const tunnel of open) close(tunnel);
      for (const { client } of held.splice(0)) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function flow({ client, upstream }: Tunnel): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Nothing is read from either side, so nothing is written to the other. */
function stall({ client, upstream }: Tunnel): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

/** `host:port` or `[v6]:port` from a CONNECT request line. */
function splitAuthority(authority: string): [string, number] {
  const url = new URL(`http://${authority}`);
  return [url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80)];
}
