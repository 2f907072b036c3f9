import type { ExtendedError, Socket } from 'socket.io';
import { proofPayload } from '../../shared/identity.ts';
import { AgentAuth } from '../../shared/protocol/http.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import type { Logger } from '../log.ts';
import type { AgentRecord, AgentStore } from './agent-store.ts';
import type { ChallengeStore } from './challenges.ts';
import { decodeRawPublicKey, verifyEd25519 } from './ed25519.ts';

/** What a proven agent socket carries in `socket.data`. */
export interface AgentSocketData {
  agent: AgentRecord;
  /** The agent's nonce for the server's own proof in its hello, when it sent one. */
  serverNonce?: string;
}

/**
 * socket.io middleware for `/agent`: the handshake's `auth` must hold a challenge this
 * server issued to this agent, signed with the agent's enrolled key, and the agent must not
 * have been revoked. Every refusal reads `proof_invalid` to the client; the log says why.
 */
export function agentProof(deps: { challenges: ChallengeStore; agents: AgentStore; log: Logger }) {
  const { challenges, agents, log } = deps;

  return (socket: Socket, next: (err?: ExtendedError) => void): void => {
    const refuse = (problem: string, agentId?: string): void => {
      log.warn({ agentId, problem, address: socket.handshake.address }, 'agent proof refused');
      next(proofError());
    };

    void (async () => {
      const parsed = parseMessage(AgentAuth, socket.handshake.auth);
      if (!parsed.ok) return refuse(`malformed auth: ${parsed.error.message}`);
      const { agentId, challenge, signature } = parsed.value;

      const outcome = challenges.consume(agentId, challenge);
      if (outcome !== 'ok') return refuse(`challenge ${outcome}`, agentId);

      const agent = await agents.get(agentId);
      if (!agent) return refuse('unknown agent', agentId);
      if (agent.revokedAt !== null) return refuse('agent revoked by an administrator', agentId);

      const key = decodeRawPublicKey(agent.publicKey);
      if (!key || !verifyEd25519(key, proofPayload(agentId, challenge), signature)) {
        return refuse('signature does not verify', agentId);
      }

      (socket.data as AgentSocketData).agent = agent;
      (socket.data as AgentSocketData).serverNonce = parsed.value.serverNonce;
      next();
    })().catch((error: unknown) => {
      log.error({ err: error }, 'agent proof failed');
      next(proofError());
    });
  };
}

function proofError(): ExtendedError {
  const error: ExtendedError = new Error('proof_invalid');
  error.data = { code: 'proof_invalid', message: 'The agent could not prove its identity.' };
  return error;
}
