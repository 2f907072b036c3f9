import { describe, expect, it } from 'vitest';
import { mintTurnCredential } from './credentials.ts';

// Expected values computed independently with:
//   printf %s "<username>" | openssl dgst -sha1 -hmac "<secret>" -binary | base64
describe('mintTurnCredential', () => {
  it('makes the TURN REST username and HMAC-SHA1 password coturn expects', () => {
    const minted = mintTurnCredential(
      'north-wing-turn-secret',
      '3f1c9a2e-session',
      3600,
      1_700_000_000_000,
    );

    expect(minted).toEqual({
      username: '1700003600:3f1c9a2e-session',
      credential: 'Ue4hZm6MQ16nixhU602H/CtApnA=',
      expiresAt: 1_700_003_600,
    });
  });

  it('matches a second vector and rounds the clock down to whole seconds', () => {
    const minted = mintTurnCredential('logen', 'username', 18, 1_433_895_900_999);

    expect(minted.username).toBe('1433895918:username');
    expect(minted.credential).toBe('UiGyVNy3yp+4uQ2PyFZPniAfZXc=');
  });

  it('gives each session its own pair', () => {
    const a = mintTurnCredential('north-wing-turn-secret', 's1', 60, 0);
    const b = mintTurnCredential('north-wing-turn-secret', 's2', 60, 0);

    expect(a.credential).not.toBe(b.credential);
  });
});
