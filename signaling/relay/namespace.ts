import type { ExtendedError, Namespace, Socket } from 'socket.io';
import {
  RELAY_FRAME_EVENT,
  RELAY_TOOK_EVENT,
  RelayClientToServer,
} from '../../shared/relay/protocol.ts';
import { TetherError } from '../../shared/errors.ts';
import { agentProof, type AgentSocketData } from '../agents/agent-proof.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import type { ChallengeStore } from '../agents/challenges.ts';
import type { WebSession, WebSessionStore } from '../auth/web-sessions.ts';
import type { Logger } from '../log.ts';
import { messageTypes, onMessages } from '../sockets/messages.ts';
import type { RelayForwarder } from './forwarder.ts';

const TYPES = messageTypes(RelayClientToServer);

type RelaySocketData = Partial<AgentSocketData> & Partial<WebSession>;

/**
 * The relay namespace on the same HTTP server and port as the console. A console
 * proves itself with its session cookie, an agent with a signed challenge exactly as on
 * `/agent`; each then speaks only its own half of the handshake.
 */
export function setUpRelayNamespace(
  nsp: Namespace,
  deps: {
    webSessions: WebSessionStore;
    challenges: ChallengeStore;
    agents: AgentStore;
    forwarder: RelayForwarder;
    log: Logger;
  },
): void {
  const { webSessions, forwarder, log } = deps;
  const proveAgent = agentProof(deps);

  nsp.use((socket, next: (err?: ExtendedError) => void) => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    if (auth && 'agentId' in auth) return proveAgent(socket, next);

    webSessions.resolve(socket.request.headers.cookie).then(
      (session) => {
        if (!session) return next(new Error('unauthenticated'));
        (socket.data as RelaySocketData).user = session.user;
        next();
      },
      (error: unknown) => {
        log.error({ err: error }, 'relay authentication failed');
        next(new Error('internal'));
      },
    );
  });

  nsp.on('connection', (socket: Socket) => {
    const { user, agent } = socket.data as RelaySocketData;
    socket.on('disconnect', () => forwarder.socketClosed(socket));
    socket.on(RELAY_FRAME_EVENT, (data: unknown) => forwarder.frame(socket, data));
    socket.on(RELAY_TOOK_EVENT, (count: unknown) => forwarder.took(socket, count));

    onMessages(socket, {
      schema: RelayClientToServer,
      types: TYPES,
      log,
      handle: async (message) => {
        if (message.type === 'relay.open') {
          if (!user) throw new TetherError('forbidden', 'Only a console may ask for the relay.');
          return forwarder.open(user.id, socket, message);
        }
        if (!agent)
          throw new TetherError('forbidden', 'Only the facility agent may join the relay.');
        return forwarder.join(agent.id, socket, message);
      },
    });
  });
}
