import { pino } from 'pino';
import type { Logger } from '../log.ts';
import { describe, expect, it } from 'vitest';
import { IceIssuer } from './ice-issuer.ts';

const SECRET = 'north-wing-turn-secret';

function recordingLogger(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { lines, logger };
}

describe('IceIssuer', () => {
  it('hands out no servers without TURN', () => {
    const issuer = new IceIssuer({ iceTransportPolicy: 'all' }, recordingLogger().logger);

    const direct = { iceServers: [], iceTransportPolicy: 'all' };
    expect(issuer.forSession('s1')).toEqual({ console: direct, agent: direct });
    expect(issuer.hasTurn).toBe(false);
  });

  it('mints a fresh credential per session and never logs it', () => {
    const { lines, logger } = recordingLogger();
    const issuer = new IceIssuer(
      {
        turn: {
          urls: ['turns:127.0.0.1:5349?transport=tcp'],
          agentUrls: ['turn:127.0.0.1:3478?transport=tcp'],
          secret: SECRET,
          ttlSeconds: 3600,
        },
        iceTransportPolicy: 'relay',
      },
      logger,
      () => 1_700_000_000_000,
    );

    const first = issuer.forSession('3f1c9a2e-session');
    const second = issuer.forSession('another-session');

    const credential = {
      username: '1700003600:3f1c9a2e-session',
      credential: 'Ue4hZm6MQ16nixhU602H/CtApnA=',
    };
    expect(first).toEqual({
      console: {
        iceServers: [{ urls: ['turns:127.0.0.1:5349?transport=tcp'], ...credential }],
        iceTransportPolicy: 'relay',
      },
      agent: {
        iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=tcp'], ...credential }],
        iceTransportPolicy: 'relay',
      },
    });
    const secondCredential = second.console.iceServers[0]?.credential;
    expect(secondCredential).not.toBe(first.console.iceServers[0]?.credential);
    const logged = lines.join('\n');
    expect(logged).toContain('TURN credential issued');
    expect(logged).not.toContain('Ue4hZm6MQ16nixhU602H');
    expect(logged).not.toContain(SECRET);
  });
});
