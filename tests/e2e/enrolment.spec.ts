import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAgentProcess } from '../../scripts/agent-process.ts';
import { DEMO_AGENT_NAME, seedDemo } from '../../scripts/demo.ts';
import { startSignaling } from '../../signaling/server.ts';
import { TEST_PASSWORD, startStack } from '../stack.ts';

test('an agent whose server lost its records enrols its same key again', async () => {
  const stack = await startStack();
  const { agentId, port } = { agentId: stack.agentId, port: stack.server.port };
  await stack.agent.stop();
  await stack.server.close();

  // A new server on the same address with an empty database, as after a reset.
  const freshDir = mkdtempSync(join(tmpdir(), 'tether-e2e-fresh-'));
  const server = await startSignaling({
    port,
    host: '127.0.0.1',
    dataDir: freshDir,
    logLevel: 'silent',
  });
  const agent = startAgentProcess({
    serverUrl: `http://127.0.0.1:${port}`,
    dataDir: join(stack.dataDir, 'agent'),
    dropboxDir: stack.dropboxDir,
    consentPort: 0,
    name: DEMO_AGENT_NAME,
    enrolmentToken: await seedDemo(server, TEST_PASSWORD),
  });

  try {
    expect(await agent.online).toBe(agentId);
    const agents = await server.admin.listAgents();
    expect(agents).toEqual([expect.objectContaining({ id: agentId, online: true })]);
  } finally {
    await agent.stop();
    await server.close();
    rmSync(freshDir, { recursive: true, force: true });
    rmSync(stack.dataDir, { recursive: true, force: true });
  }
});
