import { describe, expect, it } from 'vitest';
import { beyondPolicyWords, waitWords } from './words.ts';

describe('refusal words', () => {
  it('names what policy does not allow, in words, as one sentence', () => {
    expect(beyondPolicyWords(['logs.read'], ['logs.read'])).toBeNull();
    expect(beyondPolicyWords(['screen.control'], ['logs.read'])).toBe(
      'This facility does not allow remote control.',
    );
    expect(beyondPolicyWords(['screen.view', 'screen.control', 'logs.read'], [])).toBe(
      'This facility does not allow viewing the service computer screen, remote control or ' +
        'reading device logs.',
    );
    expect(beyondPolicyWords(['files.transfer'], ['files.transfer'])).toBe(
      'This facility agent cannot provide file transfer.',
    );
  });

  it('says how long to wait, rounded up, in seconds or minutes', () => {
    expect(waitWords(7_200)).toMatch(/Try again in 8 seconds\.$/);
    expect(waitWords(1)).toMatch(/Try again in 1 second\.$/);
    expect(waitWords(512_000)).toMatch(/Try again in 9 minutes\.$/);
  });
});
