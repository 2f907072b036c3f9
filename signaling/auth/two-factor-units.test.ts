import { describe, expect, it } from 'vitest';
import { looksLikeRecoveryCode, newRecoveryCode, normaliseRecoveryCode } from './recovery-codes.ts';
import { SecretBox } from './secret-box.ts';
import { SignInTickets, TICKET_TTL_MS } from './sign-in-ticket.ts';
import { SignInThrottle } from './throttle.ts';
import { checkTotp, newTotpSecret, totpCode, totpUri } from './totp.ts';

const STEP = 30_000;

describe('TOTP codes', () => {
  const secret = newTotpSecret();
  /** The middle of time step 1000, well away from its edges. */
  const t = 1_000 * STEP + STEP / 2;

  it('accepts the current code and one step of drift either way, no more', () => {
    expect(checkTotp(secret, totpCode(secret, t), null, t)).toEqual({ ok: true, step: 1000 });
    expect(checkTotp(secret, totpCode(secret, t - STEP), null, t)).toEqual({
      ok: true,
      step: 999,
    });
    expect(checkTotp(secret, totpCode(secret, t + STEP), null, t)).toEqual({
      ok: true,
      step: 1001,
    });
    expect(checkTotp(secret, totpCode(secret, t - 2 * STEP), null, t)).toEqual({
      ok: false,
      problem: 'wrong',
    });
    expect(checkTotp(secret, totpCode(secret, t + 2 * STEP), null, t)).toEqual({
      ok: false,
      problem: 'wrong',
    });
  });

  it('refuses a code whose step was already used, and any earlier one', () => {
    const code = totpCode(secret, t);
    expect(checkTotp(secret, code, 1000, t)).toEqual({ ok: false, problem: 'replayed' });
    expect(checkTotp(secret, totpCode(secret, t - STEP), 1000, t)).toMatchObject({ ok: false });
    expect(checkTotp(secret, totpCode(secret, t + STEP), 1000, t)).toEqual({
      ok: true,
      step: 1001,
    });
  });

  it('refuses another secret’s code and anything that is not six digits', () => {
    const other = newTotpSecret();
    expect(checkTotp(secret, totpCode(other, t), null, t).ok).toBe(false);
    expect(checkTotp(secret, '12345', null, t).ok).toBe(false);
    expect(checkTotp(secret, 'abcdef', null, t).ok).toBe(false);
  });

  it('takes a code typed with a space in the middle', () => {
    const code = totpCode(secret, t);
    expect(checkTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, null, t).ok).toBe(true);
  });

  it('makes 160-bit secrets and an otpauth URI an authenticator app reads', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, 'demo-admin'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Tether:demo-admin');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret,
      issuer: 'Tether',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('recovery codes', () => {
  it('look like two groups of five and compare however they are typed', () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(looksLikeRecoveryCode(code.toLowerCase().replace('-', ' '))).toBe(true);
    expect(normaliseRecoveryCode(` ${code.toLowerCase()} `)).toBe(code.replace('-', ''));
    expect(looksLikeRecoveryCode('123456')).toBe(false);
    expect(new Set(Array.from({ length: 50 }, newRecoveryCode)).size).toBe(50);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 3));

  it('round-trips a secret bound to its row, and refuses it anywhere else', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'usr-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'usr-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'usr-2')).toBeNull();
    expect(new SecretBox(Buffer.alloc(32, 4)).open(sealed, 'usr-1')).toBeNull();

    const [v, iv, body, tag] = sealed.split('.');
    const flipped = `${body?.[0] === 'A' ? 'B' : 'A'}${body?.slice(1)}`;
    expect(box.open([v, iv, flipped, tag].join('.'), 'usr-1')).toBeNull();
    expect(box.open('garbage', 'usr-1')).toBeNull();
  });
});

describe('SignInTickets', () => {
  it('name their user until they expire, and refuse a forged one', () => {
    let now = 0;
    const tickets = new SignInTickets(Buffer.alloc(32, 9), () => now);
    const ticket = tickets.issue('usr-1');
    expect(tickets.read(ticket)).toBe('usr-1');
    expect(new SignInTickets(Buffer.alloc(32, 8), () => now).read(ticket)).toBeNull();
    expect(tickets.read(`x${ticket}`)).toBeNull();

    now = TICKET_TTL_MS + 1;
    expect(tickets.read(ticket)).toBeNull();
  });
});

describe('SignInThrottle per account and per address', () => {
  it('slows one account tried from many addresses', () => {
    const throttle = new SignInThrottle(() => 0);
    for (let i = 0; i < 20; i += 1) throttle.recordFailure('tech', `10.0.0.${i}`);
    expect(throttle.waitMs('tech', '10.9.9.9')).toBe(1000);
    expect(throttle.waitMs('other', '10.9.9.9')).toBe(0);
  });

  it('slows many accounts tried from one address, and one success does not reset it', () => {
    const throttle = new SignInThrottle(() => 0);
    for (let i = 0; i < 50; i += 1) throttle.recordFailure(`user${i}`, '10.1.1.1');
    expect(throttle.waitMs('fresh-name', '10.1.1.1')).toBe(1000);
    throttle.recordSuccess('user1', '10.1.1.1');
    expect(throttle.waitMs('fresh-name', '10.1.1.1')).toBe(1000);
    expect(throttle.waitMs('fresh-name', '10.1.1.2')).toBe(0);
  });
});
