import { describe, expect, it } from 'vitest';
import { parseFlags } from '@plane/runtime';
import { PROBER_FLAGS, proberConfigFromFlags } from '../src/config.js';

describe('prober flags', () => {
  const parse = (argv: string[], env: Record<string, string> = {}) => {
    const { values, positionals } = parseFlags(argv, PROBER_FLAGS, env);
    return proberConfigFromFlags(values, positionals);
  };

  it('defaults: concurrency 64, direct probes, named after the host', () => {
    const c = parse([]);
    expect(c.concurrency).toBe(64);
    expect(c.blackbox).toBeUndefined();
    expect(c.proberName).toMatch(/^prober@/);
  });

  it('reads the blackbox settings from flags or PLANE_* variables', () => {
    const c = parse(['--blackbox-url', 'http://127.0.0.1:9115', '--blackbox-module-tcp', 'tcp4'], { PLANE_CONCURRENCY: '8', PLANE_BLACKBOX_GRACE: '250ms' });
    expect(c.concurrency).toBe(8);
    expect(c.blackbox).toEqual({ url: 'http://127.0.0.1:9115', moduleHttp: 'http_2xx', moduleTcp: 'tcp4', graceMs: 250 });
  });

  it('refuses bad settings with a message that names the flag', () => {
    expect(() => parse(['--concurrency', '0'])).toThrow(/--concurrency/);
    expect(() => parse(['--concurrency', 'many'])).toThrow(/--concurrency/);
    expect(() => parse(['--blackbox-url', 'not a url'])).toThrow(/--blackbox-url/);
    expect(() => parse(['--blackbox-url', 'http://x:9115/?a=1'])).toThrow(/query/);
    expect(() => parse(['--metrics-listen', 'nowhere'])).toThrow(/--metrics-listen/);
    expect(() => parse(['--log-level', 'loud'])).toThrow(/--log-level/);
    expect(() => parse(['stray'])).toThrow(/unexpected argument/);
  });
});
