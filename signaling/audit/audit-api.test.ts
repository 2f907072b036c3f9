import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditChain, AuditPage, AuditRow } from '../../shared/protocol/audit.ts';
import { openDatabase } from '../storage/database.ts';
import {
  TECH,
  request,
  signInCookie,
  startAdminScene,
  type AdminScene,
} from '../testing/harness.ts';
import { auditCsvLine, CSV_HEADER } from './export.ts';
import { capabilityOf, outcomeOf } from './query.ts';

describe('the audit API on a real server', () => {
  let scene: AdminScene;
  let url: string;
  let admin: string;

  beforeEach(async () => {
    scene = await startAdminScene();
    url = scene.t.server.url;
    admin = scene.adminCookie;
  });

  afterEach(() => scene.stop());

  const get = (path: string, cookie = admin): Promise<Response> =>
    fetch(`${url}${path}`, { headers: { cookie } });
  const page = async (query: string): Promise<AuditPage> => {
    const res = await get(`/api/audit?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return AuditPage.parse(await res.json());
  };

  /** A session asked for, approved by the agent and ended by the technician. */
  async function runSession(reason = 'Detector error E-104'): Promise<string> {
    const reply = await request(scene.consoleSocket, {
      type: 'session.request',
      agentId: scene.key.agentId,
      capabilities: ['logs.read', 'screen.view'],
      reason,
    });
    const sessionId = (reply.session as { id: string }).id;
    await scene.agentInbox.take('session.request', (m) => m.sessionId === sessionId);
    scene.agent.emit('msg', {
      type: 'session.approve',
      sessionId,
      capabilities: ['logs.read', 'screen.view'],
    });
    await scene.agentInbox.take('session.connect', (m) => m.sessionId === sessionId);
    await request(scene.consoleSocket, { type: 'session.end', sessionId });
    await scene.agentInbox.take('session.ended', (m) => m.sessionId === sessionId);
    return sessionId;
  }

  it('filters by session and resolves names, capability and outcome', async () => {
    const sessionId = await runSession();
    await runSession('another one');

    const { records, nextBefore } = await page(`session=${sessionId}`);
    expect(nextBefore).toBeNull();
    expect(records.every((r) => r.sessionId === sessionId)).toBe(true);
    // Newest first.
    expect(records.map((r) => r.id)).toEqual([...records.map((r) => r.id)].sort((a, b) => b - a));

    const requested = records.find((r) => r.action === 'session.requested');
    expect(requested).toMatchObject({
      actorName: TECH.username,
      role: 'technician',
      facilityName: 'Test Facility',
      agentId: scene.key.agentId,
      agentName: 'Radiology service PC',
      capability: ['logs.read', 'screen.view'],
    });
    const approved = records.find((r) => r.outcome === 'approved');
    expect(approved).toMatchObject({
      action: 'session.transition',
      actorName: 'Radiology service PC',
      role: 'agent',
    });
    expect(records.some((r) => r.outcome === 'ended_by_technician')).toBe(true);
  });

  it('filters by facility, technician, action and time, and refuses unknown names in words', async () => {
    const sessionId = await runSession();
    const facility = scene.t.facilityId;

    const mine = await page(`technician=${TECH.username}&action=session.`);
    expect(mine.records.length).toBeGreaterThan(0);
    expect(mine.records.every((r) => r.action.startsWith('session.'))).toBe(true);
    // The agent's approval is in the technician's session, so it is theirs to see too.
    expect(mine.records.some((r) => r.role === 'agent')).toBe(true);

    const here = await page(`facility=${facility}`);
    expect(here.records.some((r) => r.action === 'agent.online')).toBe(true);
    expect(here.records.every((r) => r.facilityId === facility)).toBe(true);
    expect(here.records.some((r) => r.sessionId === sessionId)).toBe(true);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await page(`from=${future}`)).records).toEqual([]);
    const all = await page('');
    const newest = all.records[0]!;
    const upToNewest = await page(`to=${encodeURIComponent(newest.at)}`);
    expect(upToNewest.records[0]?.at).toBe(newest.at);

    for (const [query, words] of [
      ['technician=nobody', 'No account has the user name "nobody".'],
      ['facility=fac-none', 'No facility has that ID.'],
      ['action=Session', 'The "action" parameter may hold only lower-case letters'],
      ['from=yesterday', 'The "from" parameter must be a date and time.'],
      [`from=${future}&to=2020-01-01T00:00:00Z`, 'The "from" parameter must not be later'],
      ['limit=501', 'The "limit" parameter must be at most 500.'],
      ['before=x', 'The "before" parameter is not a page position from this server.'],
    ] as const) {
      const res = await get(`/api/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { message: string }).message, query).toContain(words);
    }
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    await runSession();
    const all = await page('limit=500');
    expect(all.records.length).toBeGreaterThan(6);

    const seen: number[] = [];
    let before: number | null = null;
    do {
      const next: AuditPage = await page(`limit=3${before ? `&before=${before}` : ''}`);
      expect(next.records.length).toBeLessThanOrEqual(3);
      seen.push(...next.records.map((r) => r.id));
      before = next.nextBefore;
    } while (before !== null);

    expect(seen).toEqual(all.records.map((r) => r.id));
  });

  it('exports exactly the filtered records as CSV and as JSON Lines', async () => {
    const sessionId = await runSession();
    const { records } = await page(`session=${sessionId}`);

    const csv = await get(`/api/audit/export?format=csv&session=${sessionId}`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tether-audit-[\d-T]+\.csv"$/,
    );
    const text = await csv.text();
    expect(text).toBe(CSV_HEADER + records.map(auditCsvLine).join(''));
    expect(text.split('\r\n')[0]).toBe(
      'id,time,actor,role,facility,agent,session,action,capability,outcome,detail,hash',
    );

    const jsonl = await get(`/api/audit/export?format=jsonl&session=${sessionId}`);
    expect(jsonl.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await jsonl.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => AuditRow.parse(JSON.parse(line)))).toEqual(records);

    const bad = await get('/api/audit/export?format=xml');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      message: 'The "format" parameter must be csv or jsonl.',
    });
  });

  it('exports more records than one database batch, in order', async () => {
    const ledger = scene.t.server.admin;
    for (let i = 0; i < 3; i += 1) await ledger.ensureFacility(`Batch facility ${i}`);
    const db = await openDatabase(
      scene.t.dataDir,
      (await import('pino')).pino({ level: 'silent' }),
    );
    try {
      // 1 200 records: more than two export batches.
      for (let i = 0; i < 12; i += 1) {
        await sql`INSERT INTO audit (at, session_id, actor, action, detail, prev_hash, hash)
          SELECT '2020-01-01T00:00:00.000Z', NULL, 'system', 'bulk.test', '{}', 'x', 'y'
          FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
          SELECT i FROM n)`.execute(db);
      }
    } finally {
      await db.destroy();
    }

    const res = await get('/api/audit/export?format=jsonl&action=bulk.');
    const ids = (await res.text())
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: number }).id);
    expect(ids).toHaveLength(1200);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(1200);
  });

  it('reports the chain as intact, and names the record a forged row breaks', async () => {
    await runSession();
    const intact = AuditChain.parse(await (await get('/api/audit/chain')).json());
    expect(intact).toMatchObject({ ok: true });
    expect(intact.ok && intact.count).toBeGreaterThan(5);

    const db = await openDatabase(
      scene.t.dataDir,
      (await import('pino')).pino({ level: 'silent' }),
    );
    try {
      await sql`INSERT INTO audit (at, session_id, actor, action, detail, prev_hash, hash)
        VALUES ('2020-01-01T00:00:00.000Z', NULL, 'system', 'forged', '{}', 'x', 'y')`.execute(db);
    } finally {
      await db.destroy();
    }
    const broken = AuditChain.parse(await (await get('/api/audit/chain')).json());
    expect(broken).toMatchObject({ ok: false, problem: 'link to previous' });
  });

  it('refuses technicians, also for their own sessions, in words', async () => {
    await runSession();
    const tech = await signInCookie(scene.t);
    for (const path of ['/api/audit', '/api/audit/export?format=csv', '/api/audit/chain']) {
      const res = await get(path, tech);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { message: string }).message, path).toMatch(
        /^You are signed in as a technician; only administrators may (read|export|check) the audit ledger\.$/,
      );
    }
    expect((await get('/api/audit', '')).status).toBe(401);
  });
});

describe('audit record lifting and CSV', () => {
  it('lifts capabilities and outcome from the detail where present', () => {
    expect(capabilityOf({ capabilities: ['logs.read'] })).toEqual(['logs.read']);
    expect(capabilityOf({ before: ['a'], after: ['screen.view'] })).toEqual(['screen.view']);
    expect(capabilityOf({ capabilities: 'logs.read' })).toEqual([]);
    expect(outcomeOf('session.transition', { to: 'approved' })).toBe('approved');
    expect(outcomeOf('session.transition', { to: 'ended', reason: 'denied' })).toBe('denied');
    expect(outcomeOf('capability.denied', { reason: 'consent_timeout' })).toBe('consent_timeout');
    expect(outcomeOf('signin.failure', { username: 'x' })).toBe('refused');
    expect(outcomeOf('agent.online', { address: '::1' })).toBeNull();
  });

  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    const row: AuditRow = {
      id: 7,
      at: '2025-06-15T09:14:00.000Z',
      actor: 'user:u1',
      actorName: '=cmd|calc',
      role: 'technician',
      facilityId: 'fac-1',
      facilityName: 'St. Mary, "North"',
      agentId: null,
      agentName: null,
      sessionId: null,
      action: 'session.requested',
      capability: ['logs.read', 'screen.view'],
      outcome: null,
      detail: { reason: 'line one\nline two' },
      hash: 'ab',
    };
    expect(auditCsvLine(row)).toBe(
      '7,2025-06-15T09:14:00.000Z,\'=cmd|calc,technician,"St. Mary, ""North""",,,' +
        'session.requested,logs.read screen.view,,"{""reason"":""line one\\nline two""}",ab\r\n',
    );
  });
});
