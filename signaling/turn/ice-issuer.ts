import type { IceServer, IceTransportPolicy } from '../../shared/protocol/signal.ts';
import type { Logger } from '../log.ts';
import { mintTurnCredential } from './credentials.ts';
import type { IceSettings } from './settings.ts';

/** What one peer is told about reaching the other. */
export interface PeerIce {
  iceServers: IceServer[];
  iceTransportPolicy: IceTransportPolicy;
}

/** Both peers' configuration for one session: the same credential, each side's URLs. */
export interface SessionIce {
  console: PeerIce;
  agent: PeerIce;
}

/**
 * Hands each approved session its ICE configuration: the TURN servers with a credential
 * minted for that session alone, and the transport policy. Both peers of a session get the
 * same credential (each with its own URLs, see TurnOptions.agentUrls), and it is useless
 * to any other session once it expires. Without TURN settings the list is empty: direct paths only.
 */
export class IceIssuer {
  readonly #settings: IceSettings;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(settings: IceSettings, log: Logger, now: () => number = Date.now) {
    this.#settings = settings;
    this.#log = log;
    this.#now = now;
  }

  /** Whether the servers handed out include a TURN rung. */
  get hasTurn(): boolean {
    return this.#settings.turn !== undefined;
  }

  /** A fresh configuration for `sessionId`; call once per approval. */
  forSession(sessionId: string): SessionIce {
    const { turn, iceTransportPolicy } = this.#settings;
    if (!turn) {
      const direct = { iceServers: [], iceTransportPolicy };
      return { console: direct, agent: { ...direct, iceServers: [] } };
    }

    const minted = mintTurnCredential(turn.secret, sessionId, turn.ttlSeconds, this.#now());
    // The expiry is logged so that a failed allocation can be told apart from an expired
    // credential; the username's HMAC is not.
    this.#log.debug({ sessionId, expiresAt: minted.expiresAt }, 'TURN credential issued');

    const peer = (urls: string[]): PeerIce => ({
      iceServers: [{ urls: [...urls], username: minted.username, credential: minted.credential }],
      iceTransportPolicy,
    });

    return { console: peer(turn.urls), agent: peer(turn.agentUrls) };
  }
}
