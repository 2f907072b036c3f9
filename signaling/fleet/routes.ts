import type { IncomingMessage } from 'node:http';
import { TetherError } from '../../shared/errors.ts';
import { DeviceQuery, EventFilter, EventPageQuery } from '../../shared/protocol/fleet.ts';
import type { WebSessionStore } from '../auth/web-sessions.ts';
import { sendJson } from '../http/respond.ts';
import { Router } from '../http/router.ts';
import type { Logger } from '../log.ts';
import { readQuery } from './query.ts';
import type { FleetService } from './service.ts';

export interface FleetRouteDeps {
  fleet: FleetService;
  webSessions: WebSessionStore;
  log: Logger;
}

/**
 * The fleet dashboard's API, for signed-in console users only: the overview, one
 * device with its trends, a page of its events, and the same events as a CSV download.
 */
export function fleetRoutes(deps: FleetRouteDeps): Router {
  const { fleet, webSessions, log } = deps;
  const signedIn = async (req: IncomingMessage): Promise<string> => {
    const session = await webSessions.resolve(req.headers.cookie);
    if (!session) throw new TetherError('unauthenticated', 'You are not signed in.');
    return session.user.id;
  };

  return new Router()
    .add('GET', '/api/fleet', async (req, res) => {
      await signedIn(req);
      sendJson(res, 200, await fleet.overview());
    })
    .add('GET', '/api/fleet/device', async (req, res) => {
      await signedIn(req);
      sendJson(res, 200, await fleet.detail(readQuery(req, DeviceQuery)));
    })
    .add('GET', '/api/fleet/events', async (req, res) => {
      await signedIn(req);
      sendJson(res, 200, await fleet.events(readQuery(req, EventPageQuery)));
    })
    .add('GET', '/api/fleet/events.csv', async (req, res) => {
      const userId = await signedIn(req);
      const filter = readQuery(req, EventFilter);
      const { text, rows } = await fleet.csv(filter);
      const name = `${filter.device}-events.csv`.replace(/[^A-Za-z0-9._-]/g, '_');

      res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text);
      log.info({ userId, agentId: filter.agent, deviceId: filter.device, rows }, 'events exported');
    });
}
