import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CODE_DIGITS, OneTimeCodes } from './codes.ts';

describe('OneTimeCodes', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('makes random 9-digit codes that expire after the policy minutes', () => {
    const codes = new OneTimeCodes({ validMinutes: 10 });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const created = codes.create(['logs.read']);
      expect(created.code).toMatch(/^\d{9}$/);
      expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(10 * 60_000);
      seen.add(created.code);
      codes.cancel();
    }

    // Two hundred draws from a billion repeat with a chance of about 2 in 100 000.
    expect(seen.size).toBeGreaterThan(198);
    expect(CODE_DIGITS).toBe(9);
  });

  it('keeps one code live at a time, and shows it without its digits', () => {
    const codes = new OneTimeCodes({ validMinutes: 10 });
    const { code, ...live } = codes.create(['logs.read', 'screen.view']);

    expect(codes.live()).toEqual(live);
    expect(Object.values(codes.live() ?? {}).flat()).not.toContain(code);
    expect(() => codes.create(['logs.read'])).toThrow('already live');
    expect(codes.cancel()).toBe(true);
    expect(codes.cancel()).toBe(false);
    expect(codes.redeem(code, ['logs.read'])).toEqual({ ok: false, reason: 'cancelled' });
  });

  it('is good for one session, with what was asked of it', () => {
    const codes = new OneTimeCodes({ validMinutes: 10 });
    const { code } = codes.create(['logs.read', 'screen.view']);

    expect(codes.redeem(code, ['logs.read', 'screen.control'])).toEqual({
      ok: false,
      reason: 'not_covered',
      missing: ['screen.control'],
    });
    // Asking for the wrong thing does not use the code up.
    expect(codes.live()).not.toBeNull();
    expect(codes.redeem(code, ['logs.read'])).toEqual({ ok: true, granted: ['logs.read'] });
    expect(codes.redeem(code, ['logs.read'])).toEqual({ ok: false, reason: 'spent' });
    expect(codes.live()).toBeNull();
  });

  it('expires on time, tells listeners, and then says expired rather than wrong', () => {
    const codes = new OneTimeCodes({ validMinutes: 1 });
    const changes = vi.fn();
    codes.on('change', changes);
    const { code } = codes.create(['logs.read']);

    vi.advanceTimersByTime(59_999);
    expect(codes.live()).not.toBeNull();
    vi.advanceTimersByTime(1);

    expect(codes.live()).toBeNull();
    expect(changes).toHaveBeenCalledTimes(2);
    expect(codes.redeem(code, ['logs.read'])).toEqual({ ok: false, reason: 'expired' });
    const other = code === '000000000' ? '000000001' : '000000000';
    expect(codes.redeem(other, ['logs.read'])).toEqual({ ok: false, reason: 'wrong' });
  });

  it('forgets ended codes after a day', () => {
    const codes = new OneTimeCodes({ validMinutes: 1 });
    const { code } = codes.create(['logs.read']);
    codes.redeem(code, ['logs.read']);

    vi.advanceTimersByTime(24 * 60 * 60_000 + 1);

    expect(codes.redeem(code, ['logs.read'])).toEqual({ ok: false, reason: 'wrong' });
  });
});
