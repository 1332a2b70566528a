// gitops_sync.declarations_per_s: 1,000 services x 10 regions (1,000 gtm + 1,000 autoscale + 10
// region declarations) parsed, validated and recorded on a real nats-server, per second.
// gitops_sync.nochange_sync_ms: a sync of the commit already synced (fetch, compare, record nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPlane, ensureStream, STREAMS } from '@plane/backbone';
import { createLogger } from '@plane/runtime';
import { createTestRepo, startNatsServer } from '@plane/testkit';
import { GitSource } from '@plane/git';
import { Syncer } from '../apps/gitops-sync/dist/syncer.js';

const SERVICES = 1000;
const REGIONS = 10;

function regionNames() {
  return Array.from({ length: REGIONS }, (_, i) => `r${i}`);
}

function gtmFile(s) {
  const regions = regionNames().map((r, i) => `      - name: ${r}\n        weight: ${10 + i * 10}\n        min_ready_nodes: 1`).join('\n');
  return `version: 1\nservice: svc-${s}\ndns:\n  provider: route53\n  zone: example.com\n  ttl: 60\nhealth:\n  type: http\n  path: /healthz\n  interval: 5s\n  timeout: 2s\ndomains:\n  - name: svc-${s}.example.com\n    failover: weighted\n    regions:\n${regions}\n`;
}

function autoscaleFile(s) {
  const regions = regionNames().map((r) => `  ${r}:\n    min_nodes: 1\n    max_nodes: 5\n    scale_up_cpu: 0.7\n    scale_down_cpu: 0.3\n    node_pool: infra/node-pool/svc-${s}-${r}.tfvars`).join('\n');
  return `version: 1\nservice: svc-${s}\nwindow: 5m\ncooldown: 5m\nregions:\n${regions}\n`;
}

export async function run() {
  const server = await startNatsServer();
  const repo = createTestRepo();
  const cacheDir = mkdtempSync(join(tmpdir(), 'plane-bench-'));
  try {
    const files = {};
    for (const r of regionNames()) files[`platform-config/regions/${r}.yaml`] = `version: 1\nname: ${r}\nprovider: aws\nnode_mode: containerd-only\n`;
    for (let s = 0; s < SERVICES; s++) {
      files[`platform-config/gtm/svc-${s}.yaml`] = gtmFile(s);
      files[`platform-config/autoscale/svc-${s}.yaml`] = autoscaleFile(s);
    }
    repo.commit(files, 'bench: 1000 services x 10 regions');
    const plane = await connectPlane({ url: server.url, name: 'bench' });
    await ensureStream(plane.jsm, STREAMS.declarations);
    const log = createLogger('bench', 'silent');
    const syncer = new Syncer({ plane, git: new GitSource({ url: repo.remote, branch: 'main', cacheDir }), repo: 'bench', path: 'platform-config', log });
    const t0 = performance.now();
    const first = await syncer.sync();
    const firstMs = performance.now() - t0;
    if (first.outcome !== 'applied') throw new Error(`bench sync was ${first.outcome}: ${JSON.stringify(first.errors.slice(0, 3))}`);
    const declarations = first.recorded.length - 1;

    // No-change syncs: the same commit again (a fresh Syncer too, as after a restart).
    const samples = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const r = await syncer.sync();
      samples.push(performance.now() - t);
      if (r.outcome !== 'unchanged') throw new Error('expected no change');
    }
    samples.sort((a, b) => a - b);
    await plane.close();
    return [
      { name: 'gitops_sync.declarations_per_s', value: declarations / (firstMs / 1000), unit: 'declarations/s', note: `${declarations} declarations in ${firstMs.toFixed(0)} ms` },
      { name: 'gitops_sync.nochange_sync_ms', value: samples[Math.floor(samples.length / 2)], unit: 'ms', note: 'median of 7' },
    ];
  } finally {
    repo.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
    await server.dispose();
  }
}
