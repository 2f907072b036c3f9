import type { JobView } from '../../../shared/software.ts';

type Listener = (job: JobView) => void;

const listeners = new Set<Listener>();

/**
 * Delivery updates pushed by the server (`software.job` on the console socket). The
 * console model publishes each one here; the Software & licences page listens while open.
 */
export const jobFeed = {
  publish(job: JobView): void {
    for (const listener of listeners) listener(job);
  },
  /** Returns the function that stops listening. */
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
