import {
  AuditExportQuery,
  AuditPageQuery,
  type AuditChain,
  type AuditPage,
} from '../../shared/protocol/audit.ts';
import { readQuery } from '../fleet/query.ts';
import { sessionOf } from '../http/access.ts';
import { sendJson } from '../http/respond.ts';
import { Router } from '../http/router.ts';
import type { Logger } from '../log.ts';
import { nowIso } from '../util.ts';
import { streamAuditExport } from './export.ts';
import type { AuditLedger } from './ledger.ts';
import type { AuditQuery } from './query.ts';

export interface AuditRouteDeps {
  ledger: AuditLedger;
  query: AuditQuery;
  /** The server's public key, which every checkpoint must be signed with. */
  serverKey: string;
  log: Logger;
}

/**
 * The Audit area's API: a page of the ledger, the same records exported as CSV or JSON
 * Lines, and the chain check. The permission table lets administrators only: the ledger
 * names every account's sign-ins and every facility's sessions, so a technician does not
 * read it, not even for their own sessions (their session view shows those).
 */
export function auditRoutes(deps: AuditRouteDeps): Router {
  const { ledger, query, serverKey, log } = deps;

  return new Router()
    .add('GET', '/api/audit', async (req, res) => {
      const { limit, before, ...filter } = readQuery(req, AuditPageQuery);
      const reply: AuditPage = await query.page(filter, limit, before);
      sendJson(res, 200, reply);
    })
    .add('GET', '/api/audit/export', async (req, res) => {
      const { format, ...filter } = readQuery(req, AuditExportQuery);
      const rows = await query.stream(filter);
      const name = `tether-audit-${nowIso().slice(0, 19).replaceAll(':', '-')}`;
      const count = await streamAuditExport(res, format, rows, name);
      log.info({ userId: sessionOf(req).user.id, format, filter, count }, 'audit exported');
    })
    .add('GET', '/api/audit/chain', async (_req, res) => {
      const reply: AuditChain = await ledger.verify(serverKey);
      sendJson(res, 200, reply);
    });
}
