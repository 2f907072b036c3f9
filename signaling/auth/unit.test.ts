import { describe, expect, it } from 'vitest';
import { ChallengeStore } from '../agents/challenges.ts';
import { readCookie, signToken, unsignToken } from './cookie.ts';
import { SignInThrottle } from './throttle.ts';

describe('signed cookies', () => {
  const secret = Buffer.alloc(32, 7);

  it('round-trips a token and refuses any change', () => {
    const value = signToken(secret, 'token123');
    expect(unsignToken(secret, value)).toBe('token123');
    expect(unsignToken(secret, value.replace('token123', 'token124'))).toBeNull();
    expect(unsignToken(Buffer.alloc(32, 8), value)).toBeNull();
    expect(unsignToken(secret, 'nodot')).toBeNull();
  });

  it('reads one cookie out of a header', () => {
    expect(readCookie('a=1; tether_session=x.y; b=2', 'tether_session')).toBe('x.y');
    expect(readCookie('a=1', 'tether_session')).toBeNull();
    expect(readCookie(undefined, 'tether_session')).toBeNull();
  });
});

describe('SignInThrottle', () => {
  it('lets five failures through, then doubles the wait, and forgets on success', () => {
    let now = 0;
    const throttle = new SignInThrottle(() => now);
    for (let i = 0; i < 5; i += 1) {
      expect(throttle.waitMs('Tech', '1.2.3.4')).toBe(0);
      throttle.recordFailure('tech', '1.2.3.4');
    }
    expect(throttle.waitMs('tech', '1.2.3.4')).toBe(1000);
    expect(throttle.waitMs('tech', '5.6.7.8')).toBe(0);

    now = 1000;
    throttle.recordFailure('tech', '1.2.3.4');
    expect(throttle.waitMs('tech', '1.2.3.4')).toBe(2000);

    throttle.recordSuccess('tech', '1.2.3.4');
    expect(throttle.waitMs('tech', '1.2.3.4')).toBe(0);
  });
});

describe('ChallengeStore', () => {
  it('hands out single-use challenges bound to one agent that expire', () => {
    let now = 0;
    const store = new ChallengeStore(() => now);
    const a = store.issue('ag-1').challenge;
    const b = store.issue('ag-1').challenge;
    const c = store.issue('ag-1').challenge;

    expect(store.consume('ag-1', a)).toBe('ok');
    expect(store.consume('ag-1', a)).toBe('unknown');
    expect(store.consume('ag-2', b)).toBe('other_agent');
    expect(store.consume('ag-1', b)).toBe('unknown');

    now = 60_000;
    expect(store.consume('ag-1', c)).toBe('expired');
  });
});
