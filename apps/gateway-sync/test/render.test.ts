// Rendering nginx upstream blocks, and splitting command lines without a shell.
import { describe, expect, it } from 'vitest';
import { describeChange, renderUpstreams, PLACEHOLDER_SERVER, type RenderOptions } from '../src/nginx/render.js';
import { splitCommand } from '../src/nginx/command.js';
import type { UpstreamPool } from '../src/upstreams/pool.js';

const OPTS: RenderOptions = { port: 80, servicePorts: new Map(), maxFails: 3, failTimeoutSeconds: 10, keepalive: 0, combined: false, services: [] };

function pool(service: string, region: string, servers: [string, string][]): UpstreamPool {
  return { service, region, servers: servers.map(([node_id, address]) => ({ node_id, address })), members: {} };
}

describe('renderUpstreams', () => {
  it('one block per service and region, servers sorted, with max_fails and fail_timeout', () => {
    const r = renderUpstreams([pool('svc', 'sg', [['s1', '10.0.1.1']]), pool('svc', 'jp', [['b', '10.0.0.3'], ['a', '10.0.0.2']])], OPTS);
    expect(r.text).toContain(
      ['upstream plane_svc_jp {', '    server 10.0.0.2:80 max_fails=3 fail_timeout=10s; # a', '    server 10.0.0.3:80 max_fails=3 fail_timeout=10s; # b', '}'].join('\n'),
    );
    expect(r.text.indexOf('plane_svc_jp')).toBeLessThan(r.text.indexOf('plane_svc_sg'));
    expect(r.servers).toEqual(new Map([['plane_svc_jp', 2], ['plane_svc_sg', 1]]));
    expect(r.warnings).toEqual([]);
  });

  it('is deterministic: the order of the pools does not matter', () => {
    const pools = [pool('b', 'x', [['n', '10.0.0.1']]), pool('a', 'y', [['m', '10.0.0.2']]), pool('a', 'x', [])];
    expect(renderUpstreams(pools, OPTS).text).toBe(renderUpstreams([...pools].reverse(), OPTS).text);
  });

  it('an upstream with no servers gets the placeholder nginx needs', () => {
    const r = renderUpstreams([pool('svc', 'jp', [])], OPTS);
    expect(r.text).toContain(`upstream plane_svc_jp {\n    ${PLACEHOLDER_SERVER} # no serving node\n}`);
    expect(r.servers.get('plane_svc_jp')).toBe(0);
  });

  it('per-service ports, IPv6 brackets, keepalive, a combined upstream per service, a service filter', () => {
    const r = renderUpstreams([pool('api', 'jp', [['a', 'fd00::1']]), pool('api', 'sg', [['b', '10.0.0.2']]), pool('web', 'jp', [['c', '10.0.0.3']])], {
      ...OPTS,
      servicePorts: new Map([['api', 8080]]),
      keepalive: 16,
      combined: true,
      services: ['api'],
    });
    expect(r.text).toContain('server [fd00::1]:8080 max_fails=3 fail_timeout=10s; # a');
    expect(r.text).toContain('    keepalive 16;\n}');
    expect(r.text).toContain('upstream plane_api {\n    server [fd00::1]:8080 max_fails=3 fail_timeout=10s; # a (jp)\n    server 10.0.0.2:8080 max_fails=3 fail_timeout=10s; # b (sg)\n');
    expect(r.text).not.toContain('plane_web');
  });

  it('leaves out what nginx would refuse, and says so', () => {
    const r = renderUpstreams([pool('a_b', 'c', []), pool('a', 'b_c', []), pool('svc', 'jp', [['x', 'not-an-ip']])], OPTS);
    expect(r.text.match(/upstream plane_a_b_c /g)).toHaveLength(1);
    expect(r.text).not.toContain('not-an-ip');
    expect(r.warnings).toHaveLength(2);
  });
});

describe('describeChange', () => {
  it('says which servers and upstreams came and went', () => {
    const before = renderUpstreams([pool('svc', 'jp', [['a', '10.0.0.2'], ['b', '10.0.0.3']]), pool('svc', 'sg', [])], OPTS);
    const after = renderUpstreams([pool('svc', 'jp', [['a', '10.0.0.2'], ['c', '10.0.0.4']]), pool('web', 'jp', [])], OPTS);
    expect(describeChange(before, after)).toEqual({
      added: ['plane_svc_jp: c 10.0.0.4:80', 'plane_web_jp (new upstream)'],
      removed: ['plane_svc_jp: b 10.0.0.3:80', 'plane_svc_sg (upstream gone)'],
    });
  });
});

describe('splitCommand', () => {
  it('splits words and honours quotes and escapes, with no shell', () => {
    expect(splitCommand('nginx -s reload')).toEqual(['nginx', '-s', 'reload']);
    expect(splitCommand(`  nginx -g 'daemon off; pid /tmp/a b/nginx.pid;'  -p "/tmp/a b/" `)).toEqual(['nginx', '-g', 'daemon off; pid /tmp/a b/nginx.pid;', '-p', '/tmp/a b/']);
    expect(splitCommand('echo "a \\"q\\"" b\\ c $HOME ""')).toEqual(['echo', 'a "q"', 'b c', '$HOME', '']);
    expect(() => splitCommand("nginx -g 'oops")).toThrow(/unterminated/);
  });
});
