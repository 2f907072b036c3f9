import type { ExtendedError, Namespace, Socket } from 'socket.io';
import {
  ConsoleToServer,
  MESSAGE_EVENT,
  type ServerToConsole,
} from '../../shared/protocol/console.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import { messageAction, requireRole } from '../auth/permissions.ts';
import type { WebSession, WebSessionStore } from '../auth/web-sessions.ts';
import type { Logger } from '../log.ts';
import type { SessionBroker } from '../sessions/broker.ts';
import type { ConsolePresence } from '../sessions/console-presence.ts';
import { messageTypes, onMessages } from './messages.ts';
import { userRoom, webSessionRoom } from './rooms.ts';

const TYPES = messageTypes(ConsoleToServer);

/**
 * The `/console` namespace: technicians' browsers. The handshake must carry a valid session
 * cookie. On connect the console gets who it is, the agents, and its open sessions, so a
 * reloaded page picks up where it was.
 */
export function setUpConsoleNamespace(
  nsp: Namespace,
  deps: {
    webSessions: WebSessionStore;
    directory: AgentDirectory;
    broker: SessionBroker;
    presence: ConsolePresence;
    log: Logger;
  },
): void {
  const { webSessions, directory, broker, presence, log } = deps;

  nsp.use((socket, next: (err?: ExtendedError) => void) => {
    webSessions.resolve(socket.request.headers.cookie).then(
      (session) => {
        if (!session) return next(unauthenticated());
        (socket.data as WebSession).user = session.user;
        (socket.data as WebSession).tokenHash = session.tokenHash;
        next();
      },
      (error: unknown) => {
        log.error({ err: error }, 'console authentication failed');
        next(new Error('internal'));
      },
    );
  });

  nsp.on('connection', (socket: Socket) => {
    const { user, tokenHash } = socket.data as WebSession;
    const send = (message: ServerToConsole): void => void socket.emit(MESSAGE_EVENT, message);

    void socket.join([userRoom(user.id), webSessionRoom(tokenHash)]);
    presence.connected(user.id);
    socket.on('disconnect', () => presence.disconnected(user.id));
    log.debug({ userId: user.id, socket: socket.id }, 'console connected');

    onMessages(socket, {
      schema: ConsoleToServer,
      types: TYPES,
      log,
      handle: async (message) => {
        requireRole(messageAction(message.type), user.role);
        switch (message.type) {
          case 'agents.list':
            send({ type: 'agents.snapshot', agents: await directory.list() });
            return;
          case 'session.request':
            return { session: await broker.request(user, message) };
          case 'session.end':
            return broker.endByTechnician(user, message.sessionId, message.reason, message.detail);
          case 'signal':
            return broker.signalFromConsole(user, message.sessionId, message.attempt, message.data);
          case 'session.retry':
            return broker.retry(user, message.sessionId, message.mode, message.detail);
          case 'capability.request':
            return broker.requestCapabilities(user, message.sessionId, message.capabilities);
          case 'unattended.finish':
            return broker.unattendedFinish(user, message.sessionId, message.ke3);
        }
      },
    });

    send({ type: 'hello', user });
    directory.list().then(
      (agents) => {
        send({ type: 'agents.snapshot', agents });
        for (const session of broker.openSessionsOf(user.id)) {
          send({ type: 'session.update', session });
        }
      },
      (error: unknown) => log.error({ err: error }, 'agent snapshot failed'),
    );
  });
}

function unauthenticated(): ExtendedError {
  const error: ExtendedError = new Error('unauthenticated');
  error.data = { code: 'unauthenticated', message: 'Sign in to use the console.' };
  return error;
}
