import { describe, expect, it } from 'vitest';
import type { HealthSpec } from '@plane/declarations';
import { newNodeRecord, type NodeHealth } from '@plane/health';
import { buildTargets, targetSignature, type GtmHealthDeclaration } from '../src/targets.js';

const common = { interval_ms: 5000, timeout_ms: 2000, rise: 2, fall: 3, heartbeat_timeout_ms: 15_000, window_ms: 30_000, max_ejection_percent: 50, eject_error_rate_above: 0.5, eject_rtt_ms_above: 1000 };
const httpHealth: HealthSpec = { ...common, type: 'http', path: '/healthz', port: 8080 };
const tcpHealth: HealthSpec = { ...common, type: 'tcp', port: 5432 };

function decl(service: string, health: HealthSpec): GtmHealthDeclaration {
  return { name: service, spec: { service, health } };
}

function node(service: string, region: string, id: string, ips: string[], extra: Partial<NodeHealth> = {}): NodeHealth {
  return { ...newNodeRecord({ service, region, node_id: id }, 0).health, ips, ...extra };
}

describe('buildTargets', () => {
  it('probes every IP of every registered node of a declared service, as its health says', () => {
    const { targets, skipped } = buildTargets(
      [decl('web', httpHealth), decl('db', tcpHealth)],
      [
        node('web', 'jp', 'jp-1', ['10.0.0.1', '2001:db8::1']),
        node('db', 'sg', 'sg-1', ['10.1.0.1']),
        node('web', 'jp', 'jp-2', ['10.0.0.2'], { state: 'down' }),
      ],
    );
    expect(skipped).toEqual([]);
    expect(targets.map((t) => [t.key, t.check, t.target])).toEqual([
      ['db.sg.sg-1/10.1.0.1', 'tcp', '10.1.0.1:5432'],
      ['web.jp.jp-1/10.0.0.1', 'http', 'http://10.0.0.1:8080/healthz'],
      ['web.jp.jp-1/2001:db8::1', 'http', 'http://[2001:db8::1]:8080/healthz'],
      ['web.jp.jp-2/10.0.0.2', 'http', 'http://10.0.0.2:8080/healthz'],
    ]);
    const t = targets[1]!;
    expect(t.node).toEqual({ service: 'web', region: 'jp', node_id: 'jp-1' });
    expect(t).toMatchObject({ ip: '10.0.0.1', port: 8080, interval_ms: 5000, timeout_ms: 2000 });
  });

  it('leaves out deregistered nodes, services without a gtm declaration, and non-IP addresses', () => {
    const { targets, skipped } = buildTargets(
      [decl('web', httpHealth)],
      [node('web', 'jp', 'gone', ['10.0.0.9'], { deregistered: true }), node('other', 'jp', 'x', ['10.0.0.3']), node('web', 'jp', 'odd', ['web.example', '10.0.0.4'])],
    );
    expect(targets.map((t) => t.key)).toEqual(['web.jp.odd/10.0.0.4']);
    expect(skipped).toEqual([{ key: 'web.jp.odd', ip: 'web.example', reason: 'not an IP address' }]);
  });

  it('gives a target another signature when its check changes, the same otherwise', () => {
    const before = buildTargets([decl('web', httpHealth)], [node('web', 'jp', 'a', ['10.0.0.1'])]).targets[0]!;
    const same = buildTargets([decl('web', { ...httpHealth })], [node('web', 'jp', 'a', ['10.0.0.1'])]).targets[0]!;
    const slower = buildTargets([decl('web', { ...httpHealth, interval_ms: 10_000 })], [node('web', 'jp', 'a', ['10.0.0.1'])]).targets[0]!;
    expect(targetSignature(same)).toBe(targetSignature(before));
    expect(targetSignature(slower)).not.toBe(targetSignature(before));
  });
});
