import type { Capability } from '../../../shared/capabilities.ts';

/** How one asked-for capability stands: waiting for staff, or refused with their words. */
export type CapabilityAsk = { state: 'waiting' } | { state: 'refused'; words: string };

/** Sends a capability.request and resolves with the server's acknowledgement. */
export type AskCapabilities = (
  capabilities: Capability[],
) => Promise<{ ok: true } | { ok: false; message: string }>;

/** The facility's answer as the server relays it. */
export interface CapabilityAnswer {
  capabilities: Capability[];
  granted: boolean;
  detail: string | null;
}

/**
 * Requests for more access in a running session, per capability, as the technician sees
 * them: "Waiting for facility approval…" until staff answer, then either the new access
 * (which arrives with the granted set) or the refusal in words.
 */
export class CapabilityRequests {
  asks = $state<Partial<Record<Capability, CapabilityAsk>>>({});
  readonly #ask: AskCapabilities;

  constructor(ask: AskCapabilities) {
    this.#ask = ask;
  }

  waiting(capability: Capability): boolean {
    return this.asks[capability]?.state === 'waiting';
  }

  /** Staff's refusal of the latest request for `capability`, in words; null otherwise. */
  refusal(capability: Capability): string | null {
    const ask = this.asks[capability];
    return ask?.state === 'refused' ? ask.words : null;
  }

  /** Asks once per capability; a request already waiting is not sent again. */
  async request(capabilities: Capability[]): Promise<void> {
    const fresh = capabilities.filter((capability) => !this.waiting(capability));
    if (fresh.length === 0) return;

    for (const capability of fresh) this.asks[capability] = { state: 'waiting' };
    const ack = await this.#ask(fresh);
    if (ack.ok) return;

    for (const capability of fresh)
      this.asks[capability] = { state: 'refused', words: ack.message };
  }

  answer(answer: CapabilityAnswer): void {
    for (const capability of answer.capabilities) {
      if (answer.granted) delete this.asks[capability];
      else {
        const words = answer.detail ?? 'The facility did not allow it.';
        this.asks[capability] = { state: 'refused', words };
      }
    }
  }

  /** The session ended: nothing is waiting any more. */
  clear(): void {
    this.asks = {};
  }
}
