// deploy/nats: one user per role; a node agent's credentials are refused for anything but heartbeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureStream, STREAMS } from '@plane/backbone';
import { startNatsServer, waitFor, type NatsServerHandle } from '@plane/testkit';

const accounts = readFileSync(fileURLToPath(new URL('../../deploy/nats/accounts.conf', import.meta.url)), 'utf8');
const ROLES = ['NODE_AGENT', 'API', 'PROBER', 'GITOPS_SYNC', 'GTM_CONTROLLER', 'AUTOSCALER', 'OPERATOR'];

let server: NatsServerHandle;

let agent: NatsConnection;
const agentErrors: string[] = [];

beforeAll(async () => {
  for (const r of ROLES) process.env[`PLANE_NATS_${r}_PASSWORD`] = `secret-${r.toLowerCase()}`;
  server = await startNatsServer({ config: accounts });

});

afterAll(async () => {
  await agent?.close();

  await server?.dispose();
});

describe('NATS users per role (deploy/nats/accounts.conf)', () => {
  it('lets a node agent publish heartbeats and refuses its decisions and commands', async () => {
    const admin = await connect({ servers: server.url, user: 'operator', pass: 'secret-operator' });
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(admin);
    await ensureStream(jsm, STREAMS.nodes);
    await ensureStream(jsm, STREAMS.decisions);
    await ensureStream(jsm, STREAMS.commands);

    agent = await connect({ servers: server.url, user: 'node-agent', pass: 'secret-node_agent' });
    void (async () => {
      for await (const s of agent.status()) if (s.type === 'error') agentErrors.push(String((s as { error?: unknown }).error ?? s));
    })();
    agent.publish('node.svc-plus.jp.jp-0.heartbeat', new TextEncoder().encode('{"schema":1}'));
    agent.publish('gtm.decision.api_svc_plus', new TextEncoder().encode('{"forged":true}'));
    agent.publish('cmd.dns.powerdns.svc_plus', new TextEncoder().encode('{"forged":true}'));
    await agent.flush();
    await waitFor('permission errors', async () => (agentErrors.length >= 2 ? true : undefined), 5000, 50);
    expect(agentErrors.join('\n')).toMatch(/permissions violation.*gtm\.decision\.api_svc_plus/i);
    expect(agentErrors.join('\n')).toMatch(/permissions violation.*cmd\.dns\.powerdns\.svc_plus/i);

    expect((await jsm.streams.info(STREAMS.nodes.name)).state.messages).toBe(1);
    expect((await jsm.streams.info(STREAMS.decisions.name)).state.messages).toBe(0);
    expect((await jsm.streams.info(STREAMS.commands.name)).state.messages).toBe(0);
    await admin.close();
  });

  it('refuses a wrong password', async () => {
    await expect(connect({ servers: server.url, user: 'node-agent', pass: 'wrong', maxReconnectAttempts: 0 })).rejects.toThrow(/authorization/i);
  });
});
