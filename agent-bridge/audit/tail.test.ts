import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentToConsent, ConsentState } from '../../shared/protocol/consent.ts';
import { ConsentServer } from '../consent/server.ts';
import { loadOrCreateIdentity, type Identity } from '../identity.ts';
import { silentLogger } from '../log.ts';
import { FacilityLedger } from './ledger.ts';
import { LedgerTail } from './tail.ts';

const TECHNICIAN = {
  username: 'demo-tech',
  displayName: 'Demo Technician',
  organisation: 'Tether Device Service',
};

let dir: string;
let identity: Identity;
let ledger: FacilityLedger;
let tail: LedgerTail;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tether-tail-'));
  identity = await loadOrCreateIdentity(dir, silentLogger());
  ledger = new FacilityLedger({
    dataDir: dir,
    identity,
    facility: () => 'Demo Facility',
    log: silentLogger(),
    checkpointEvery: 3,
  });
  tail = new LedgerTail({
    file: ledger.file,
    agentKey: identity.publicKeyBase64,
    log: silentLogger(),
  });
});

afterEach(() => {
  tail.close();
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

function approve(sessionId: string): void {
  ledger.append({
    actor: 'staff',
    role: 'staff',
    action: 'consent.approved',
    sessionId,
    capability: ['logs.read', 'screen.view'],
    outcome: 'approved',
    detail: { for: TECHNICIAN, until: 'the session ends' },
  });
}

function changed(): Promise<void> {
  return new Promise((resolve) => tail.once('change', () => resolve()));
}

describe('LedgerTail', () => {
  it('shows nothing before the first line, then follows appended lines', async () => {
    await tail.start();
    expect(tail.view()).toMatchObject({
      type: 'record.state',
      file: ledger.file,
      check: { state: 'empty', problem: null },
      events: [],
    });

    const next = changed();
    approve('s-1');
    await next;

    const view = tail.view();
    expect(view.check).toEqual({ state: 'intact', events: 1, checkpoints: 0, unsigned: 1 });
    expect(view.events).toEqual([
      {
        seq: 1,
        at: expect.any(String) as unknown,
        actor: 'staff',
        role: 'staff',
        action: 'consent.approved',
        session: 's-1',
        capability: ['logs.read', 'screen.view'],
        outcome: 'approved',
        for: TECHNICIAN,
        until: 'the session ends',
        words: null,
      },
    ]);
  });

  it('keeps the newest 50 events, newest first, and counts signed checkpoints', async () => {
    for (let i = 1; i <= 60; i += 1) approve(`s-${i}`);
    await tail.start();

    const view = tail.view();
    // 60 events and a checkpoint after every third.
    expect(view.check).toEqual({ state: 'intact', events: 60, checkpoints: 20, unsigned: 0 });
    expect(view.events).toHaveLength(50);
    expect(view.events[0]?.session).toBe('s-60');
    expect(view.events.at(-1)?.session).toBe('s-11');
  });

  it('reads only what was appended; a full recheck finds an edit to an earlier line', async () => {
    approve('s-1');
    approve('s-2');
    await tail.start();

    // Same length, so only the chain can tell: s-1 becomes s-9.
    const lines = readFileSync(ledger.file, 'utf8');
    writeFileSync(ledger.file, lines.replace('"s-1"', '"s-9"'));
    await tail.refresh();
    expect(tail.view().check.state).toBe('intact');

    await tail.recheck();
    expect(tail.view().check).toEqual({
      state: 'broken',
      line: 1,
      problem: 'its hash does not match its content',
    });
    // Events past the break are still shown.
    expect(tail.view().events.map((e) => e.session)).toEqual(['s-2', 's-9']);
  });

  it('waits for the end of a line written in two parts, and names a line that is not JSON', async () => {
    approve('s-1');
    await tail.start();

    appendFileSync(ledger.file, '{"kind":"event",');
    await tail.refresh();
    expect(tail.view().check).toMatchObject({ state: 'intact', events: 1 });

    appendFileSync(ledger.file, '"cut":true}\nnot json at all\n');
    await tail.refresh();
    expect(tail.view().check).toEqual({ state: 'broken', line: 2, problem: 'not a ledger line' });
  });

  it('reads a file that was replaced or shortened again from the start', async () => {
    approve('s-1');
    approve('s-2');
    await tail.start();
    expect(tail.view().events).toHaveLength(2);

    rmSync(ledger.file);
    await tail.refresh();
    expect(tail.view().check).toEqual({ state: 'empty', problem: null });

    writeFileSync(ledger.file, 'garbage\n');
    await tail.refresh();
    expect(tail.view().check).toEqual({
      state: 'broken',
      line: 1,
      problem: 'not JSON (cut short or edited)',
    });
  });
});

describe('the consent page Record', () => {
  let server: ConsentServer | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await server?.close();
  });

  it('is sent on connect and again when a line is appended', async () => {
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    server = new ConsentServer({
      port: 0,
      staticDir,
      log: silentLogger(),
      state: () => ({ type: 'consent.state' }) as unknown as ConsentState,
      actions: {
        approve: () => undefined,
        deny: () => undefined,
        revoke: () => undefined,
        end: () => undefined,
        createCode: () => ({ code: '012345678', expiresAt: '2030-01-01T00:00:00.000Z' }),
        cancelCode: () => undefined,
        setRemoteAccess: () => undefined,
      },
      record: tail,
    });
    const url = await server.listen();

    const records: AgentToConsent[] = [];
    const socket = io(url, { transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    socket.on('msg', (message: AgentToConsent) => {
      if (message.type === 'record.state') records.push(message);
    });
    await expect.poll(() => records.length).toBeGreaterThan(0);
    expect(records[0]).toMatchObject({ check: { state: 'empty' }, events: [] });

    approve('s-1');
    await expect
      .poll(() => records.at(-1)?.type === 'record.state' && records.at(-1))
      .toMatchObject({ check: { state: 'intact', events: 1 }, events: [{ session: 's-1' }] });
  });
});
