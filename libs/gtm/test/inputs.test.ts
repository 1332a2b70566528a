// buildDomainInputs: from a normalized gtm declaration and the nodes' health to DomainInputs.
import { describe, expect, it } from 'vitest';
import type { GtmSpec } from '@plane/declarations';
import { buildDomainInputs, zoneOfDomain, type NodeHealthLike } from '../src/index.js';
import { decide, decidedOf, node, WEIGHTING } from './fixtures.js';

function spec(over: Partial<GtmSpec> = {}): GtmSpec {
  return {
    service: 'svc-plus',
    dns: { provider: 'route53', ttl: 30, drift_check_ms: 300_000 },
    health: {
      type: 'http',
      path: '/healthz',
      port: 80,
      interval_ms: 5000,
      timeout_ms: 2000,
      rise: 2,
      fall: 3,
      heartbeat_timeout_ms: 15_000,
      window_ms: 30_000,
      max_ejection_percent: 50,
      eject_error_rate_above: 0.5,
      eject_rtt_ms_above: 1000,
    },
    weighting: WEIGHTING,
    domains: [
      { name: 'api.svc.plus', failover: 'weighted', regions: [{ name: 'jp', weight: 100, min_ready_nodes: 1, fallback: true }, { name: 'sg', weight: 10, min_ready_nodes: 1, fallback: true }] },
      { name: 'www.eu.svc.plus', failover: 'priority', regions: [{ name: 'sg', weight: 10, min_ready_nodes: 1, fallback: false }] },
    ],
    suspend: false,
    ...over,
  };
}

const health = (service: string, region: string, id: string, ip: string, metrics: NodeHealthLike['metrics'] = { rtt_ms: 40, error_rate: 0.01 }): NodeHealthLike => ({
  service,
  region,
  node_id: id,
  ips: [ip],
  state: 'ready',
  state_reason: 'healthy',
  metrics,
});

describe('buildDomainInputs', () => {
  it('given a spec and the nodes bucket records, then one input per domain with the service nodes per region, sorted', () => {
    const records = [health('svc-plus', 'jp', 'jp-2', '10.1.0.2', null), health('svc-plus', 'jp', 'jp-1', '10.1.0.1'), health('other', 'jp', 'jp-9', '10.9.0.9'), health('svc-plus', 'sg', 'sg-1', '10.2.0.1')];
    const inputs = buildDomainInputs({ spec: spec({ dns: { provider: 'route53', ttl: 30, drift_check_ms: 300_000, zone: 'svc.plus' } }), commit: 'abc123', nodes: records });
    expect(inputs.map((i) => i.domain)).toEqual(['api.svc.plus', 'www.eu.svc.plus']);
    const api = inputs[0]!;
    expect(api).toMatchObject({
      service: 'svc-plus',
      failover: 'weighted',
      provider: 'route53',
      zone: 'svc.plus',
      ttl: 30,
      max_ejection_percent: 50,
      heartbeat_timeout_ms: 15_000,
      suspended: false,
      suspend_reason: null,
      inputs_fresh: true,
      stale_reason: null,
      policy_commit: 'abc123',
    });
    expect(api.regions[0]!.nodes).toEqual([
      { node_id: 'jp-1', ips: ['10.1.0.1'], state: 'ready', state_reason: 'healthy', rtt_ms: 40, error_rate: 0.01 },
      { node_id: 'jp-2', ips: ['10.1.0.2'], state: 'ready', state_reason: 'healthy', rtt_ms: null, error_rate: null },
    ]);
    expect(inputs[1]!.regions).toEqual([{ name: 'sg', weight: 10, min_ready_nodes: 1, fallback: false, nodes: [expect.objectContaining({ node_id: 'sg-1' })] }]);
    expect(decidedOf(decide(api).events).data.answer!.regions.map((r) => r.weight)).toEqual([100, 10]);
  });

  it('given no declared zone, then the zone is taken from the caller: a name or the provider zone list (longest suffix)', () => {
    const nodes = new Map([['jp', [node('jp-1', '10.1.0.1')]]]);
    expect(buildDomainInputs({ spec: spec(), commit: 'c', nodes, zone: 'svc.plus' })[0]!.zone).toBe('svc.plus');
    const byList = buildDomainInputs({ spec: spec(), commit: 'c', nodes, zone: ['plus', 'svc.plus', 'eu.svc.plus', 'other.plus'] });
    expect(byList.map((i) => i.zone)).toEqual(['svc.plus', 'eu.svc.plus']);
    expect(() => buildDomainInputs({ spec: spec(), commit: 'c', nodes, zone: ['example.com'] })).toThrow(/no zone for api\.svc\.plus/);
    expect(zoneOfDomain('api.svc.plus.', ['vc.plus', 'SVC.plus.'])).toBe('svc.plus');
  });

  it('given a declared suspend and an operator override, and stale inputs, then the input says so', () => {
    const nodes = { jp: [node('jp-1', '10.1.0.1')] };
    const [api] = buildDomainInputs({ spec: spec({ suspend: true }), commit: 'c', nodes, zone: 'svc.plus', suspend: { reason: 'planectl suspend by ops' }, fresh: false, stale_reason: 'lost NATS' });
    expect(api).toMatchObject({ suspended: true, suspend_reason: 'declared suspend: true; planectl suspend by ops', inputs_fresh: false, stale_reason: 'lost NATS' });
    expect(api!.regions[1]!.nodes).toEqual([]);
  });
});
