import type { Capability } from '../../shared/capabilities.ts';
import type { SignalData } from '../../shared/protocol/signal.ts';
import type { AgentRelay } from '../relay/agent-relay.ts';
import type { SessionPeer } from './peer.ts';

/** Signals kept for an attempt whose peer does not exist yet. */
const MAX_EARLY_SIGNALS = 200;

/**
 * One session's paths to the console, as the agent holds them: the WebRTC peer of the
 * current attempt, the encrypted relay, and signals that arrived for an attempt before
 * its `session.connect`. Either path may serve the session; both may for a moment, while
 * the console moves from one to the other. The coordinator owns the decisions; this
 * keeps the pieces and closes them.
 */
export class SessionPaths {
  #peer: { attempt: number; peer: SessionPeer } | null = null;
  #relay: { relay: AgentRelay; connected: boolean } | null = null;
  #early: { attempt: number; signals: SignalData[] } | null = null;

  /** The current attempt's peer, if any. */
  get peer(): SessionPeer | null {
    return this.#peer?.peer ?? null;
  }

  get attempt(): number | null {
    return this.#peer?.attempt ?? null;
  }

  get relay(): AgentRelay | null {
    return this.#relay?.relay ?? null;
  }

  /** Whether some path carries the session now. */
  get live(): boolean {
    return (this.#peer?.peer.connected ?? false) || (this.#relay?.connected ?? false);
  }

  /** Whether `attempt` is older than the one this session already runs. */
  stale(attempt: number): boolean {
    return this.#peer !== null && attempt <= this.#peer.attempt;
  }

  /** Puts in the peer of a new attempt, closing the last one; returns its early signals. */
  setPeer(attempt: number, peer: SessionPeer): SignalData[] {
    this.#peer?.peer.destroy();
    this.#peer = { attempt, peer };

    const early = this.#early?.attempt === attempt ? this.#early.signals : [];
    this.#early = null;
    return early;
  }

  /** Forgets `peer` if it is still the current one (it failed); returns whether it was. */
  dropPeer(peer: SessionPeer): boolean {
    if (this.#peer?.peer !== peer) return false;
    this.#peer = null;
    return true;
  }

  /** Holds a signal for an attempt that has no peer yet; older held attempts are dropped. */
  hold(attempt: number, data: SignalData): void {
    if (!this.#early || this.#early.attempt < attempt) this.#early = { attempt, signals: [] };
    if (this.#early.attempt !== attempt) return;
    if (this.#early.signals.length < MAX_EARLY_SIGNALS) this.#early.signals.push(data);
  }

  setRelay(relay: AgentRelay): void {
    this.#relay?.relay.destroy();
    this.#relay = { relay, connected: false };
  }

  relayConnected(relay: AgentRelay): void {
    if (this.#relay?.relay === relay) this.#relay.connected = true;
  }

  /** Forgets `relay` if it is still the current one; returns whether it was. */
  dropRelay(relay: AgentRelay): boolean {
    if (this.#relay?.relay !== relay) return false;
    this.#relay = null;
    return true;
  }

  setGranted(granted: readonly Capability[]): void {
    this.#peer?.peer.setGranted(granted);
    this.#relay?.relay.setGranted(granted);
  }

  /** Closes every path. Idempotent. */
  close(): void {
    this.#peer?.peer.destroy();
    this.#relay?.relay.destroy();
    this.#peer = null;
    this.#relay = null;
    this.#early = null;
  }
}
