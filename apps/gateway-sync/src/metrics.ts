import { scrapedGauge } from '@plane/runtime';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ApplyOutcome } from './nginx/applier.js';
import type { CommandResult } from './nginx/command.js';
import type { Rendered } from './nginx/render.js';

export interface GatewayMetrics {
  pass(outcome: ApplyOutcome, rendered: Rendered): void;
  command(which: 'test' | 'reload', result: CommandResult): void;
  leader(holder: boolean): void;
  projectionPosition(seq: number): void;
  projectionError(): void;
}

/** `projectionLag`: messages on NODES the upstreams projection has not folded, read at each scrape (undefined: not folding here). */
export function gatewayMetrics(registry: Registry, projectionLag: () => Promise<number | undefined> = async () => undefined): GatewayMetrics {
  const renders = new Counter({
    name: 'gateway_sync_renders_total',
    help: 'Render passes by outcome: unchanged (nothing written or reloaded), applied, rejected (test failed, old file restored), write_failed, reload_failed',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const reloads = new Counter({ name: 'gateway_sync_reloads_total', help: 'nginx reloads that succeeded', registers: [registry] });
  const reloadFailures = new Counter({ name: 'gateway_sync_reload_failures_total', help: 'nginx reload commands that failed', registers: [registry] });
  const testFailures = new Counter({ name: 'gateway_sync_test_failures_total', help: 'nginx test commands that refused a rendered file', registers: [registry] });
  const lastReload = new Gauge({ name: 'gateway_sync_last_reload_timestamp_seconds', help: 'When nginx was last reloaded successfully', registers: [registry] });
  const servers = new Gauge({ name: 'gateway_sync_upstream_servers', help: 'Servers per rendered upstream (0: only the placeholder)', labelNames: ['upstream'], registers: [registry] });
  const leader = new Gauge({ name: 'gateway_sync_projection_leader', help: '1 while this replica holds the lease and writes the upstreams bucket', registers: [registry] });
  const position = new Gauge({ name: 'gateway_sync_projection_position', help: 'NODES stream sequence the upstreams projection has folded (leader only)', registers: [registry] });
  scrapedGauge(registry, { name: 'gateway_sync_projection_lag_messages', help: 'Messages on NODES the upstreams projection has not folded yet; read at each scrape, absent where it does not run' }, async () => {
    const lag = await projectionLag();
    return lag === undefined ? [] : [{ value: lag }];
  });
  const projectionErrors = new Counter({ name: 'gateway_sync_projection_errors_total', help: 'NODES events the upstreams projection could not apply', registers: [registry] });
  for (const o of ['unchanged', 'applied', 'rejected', 'write_failed', 'reload_failed']) renders.inc({ outcome: o }, 0);
  return {
    pass(outcome, rendered) {
      renders.inc({ outcome: outcome.outcome });
      if (outcome.outcome === 'applied' || outcome.outcome === 'unchanged') {
        servers.reset();
        for (const [name, n] of rendered.servers) servers.set({ upstream: name }, n);
      }
    },
    command(which, result) {
      if (which === 'test' && !result.ok) testFailures.inc();
      if (which === 'reload') {
        if (result.ok) {
          reloads.inc();
          lastReload.set(Date.now() / 1000);
        } else reloadFailures.inc();
      }
    },
    leader: (holder) => leader.set(holder ? 1 : 0),
    projectionPosition: (seq) => position.set(seq),
    projectionError: () => projectionErrors.inc(),
  };
}
