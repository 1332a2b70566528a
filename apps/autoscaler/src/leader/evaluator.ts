// One evaluation pass of the leader over every autoscale declaration in force: read the node pool
// files at their branch heads (one fetch per branch), build each service's input from the
// `nodes` bucket, the executor's outcomes and the decider's state, decide (pure), record.
import { buildServiceInput, decide, largestDnsTtlMs, type AutoscaleEvent, type CommandOutcome, type NodeCountReading } from '@plane/autoscale';
import { declarationsOf, type DesiredDeclaration, type DesiredSnapshot } from '@plane/backbone';
import { resolveNodePool, type AutoscaleSpec, type GtmSpec, type RegionSpec } from '@plane/declarations';
import type { Logger } from '@plane/runtime';
import type { Emitter } from './emitter.js';
import type { MergeWatcher } from './merge-watcher.js';
import type { NodePoolReader } from './node-pools.js';
import type { NodesView } from './nodes-view.js';
import type { OutcomeBook } from './outcome-book.js';
import type { StateStore } from './state-store.js';

export interface EvaluatorOptions {
  log: Logger;
  source: string;
  defaultBranch: string;
  desired: () => DesiredSnapshot;
  nodes: NodesView;
  book: OutcomeBook;
  pools: NodePoolReader;
  store: StateStore;
  emitter: Emitter;
  merges: MergeWatcher;
  /** Checked before each service is recorded: a replica that lost the lease stops at once. */
  isLeader: () => boolean;
  now?: () => number;
}

export interface PassReport {
  services: number;
  regions: number;
  events: number;
  decided: number;
  failed: number;
  /** False when the lease was lost part way. */
  complete: boolean;
}

export interface ServicePolicy {
  /** The normalized policy as decided on: node pools resolved, the branch filled in. */
  spec: AutoscaleSpec;
  commit: string;
  gtm: GtmSpec | undefined;
}

/** The policies in force, each normalized the way its decisions record it. */
export function policiesOf(snapshot: DesiredSnapshot, defaultBranch: string): ServicePolicy[] {
  const regions = declarationsOf<RegionSpec>(snapshot, 'region');
  const gtm = declarationsOf<GtmSpec>(snapshot, 'gtm');
  const out: ServicePolicy[] = [];
  for (const decl of declarationsOf<AutoscaleSpec>(snapshot, 'autoscale').values()) out.push(policyOf(decl, regions, gtm, defaultBranch));
  return out.sort((a, b) => (a.spec.service < b.spec.service ? -1 : a.spec.service > b.spec.service ? 1 : 0));
}

function policyOf(decl: DesiredDeclaration<AutoscaleSpec>, regions: Map<string, DesiredDeclaration<RegionSpec>>, gtm: Map<string, DesiredDeclaration<GtmSpec>>, defaultBranch: string): ServicePolicy {
  const s = decl.spec;
  const spec: AutoscaleSpec = {
    ...s,
    regions: s.regions.map((r) => ({ ...r, node_pool: resolveNodePool(r, regions.get(r.name)?.spec) })),
    git: { ...s.git, branch: s.git.branch ?? defaultBranch },
  };
  return { spec, commit: decl.commit, gtm: gtm.get(s.service)?.spec };
}

export class Evaluator {
  private running: Promise<PassReport> | undefined;
  /** The effects of pending actions must be published again (after the state was re-read); cleared only once that worked. */
  private reissueDue = false;

  constructor(private readonly opts: EvaluatorOptions) {}

  /** One pass; passes never overlap (a call during a pass gets that pass). */
  evaluate(): Promise<PassReport> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<PassReport> {
    const { store, book, nodes, pools, emitter, merges, log } = this.opts;
    if (store.isStale()) {
      await store.resync();
      this.reissueDue = true;
    }
    if (this.reissueDue) {
      // A command whose publish failed after its decision was recorded goes out here; until it
      // does, every pass tries again (a failure here fails the pass, and is logged).
      await emitter.reissue(store.services(), (id) => book.get(id) !== undefined);
      this.reissueDue = false;
    }
    const now = (this.opts.now ?? Date.now)();
    const policies = policiesOf(this.opts.desired(), this.opts.defaultBranch);
    const wanted = new Map<string, Set<string>>();
    for (const { spec } of policies) {
      const branch = spec.git.branch!;
      let paths = wanted.get(branch);
      if (!paths) wanted.set(branch, (paths = new Set()));
      for (const r of spec.regions) paths.add(r.node_pool);
    }
    const readings = await pools.read(wanted);
    const report: PassReport = { services: 0, regions: 0, events: 0, decided: 0, failed: 0, complete: true };
    const pending = new Set<string>();
    for (const { spec, commit, gtm } of policies) {
      if (!this.opts.isLeader()) {
        report.complete = false;
        break;
      }
      const reading = readings.get(spec.git.branch!);
      const counts: Record<string, NodeCountReading> = {};
      for (const r of spec.regions) counts[r.name] = reading?.counts.get(r.node_pool) ?? { error: `${r.node_pool}: not read` };
      const before = store.get(spec.service);
      await merges.check(before, (region) => (typeof counts[region] === 'number' ? counts[region] : null), reading?.commit ?? null);
      const outcomes: CommandOutcome[] = [];
      for (const rs of Object.values(before.regions)) {
        const o = rs.pending ? book.get(rs.pending.id) : undefined;
        if (o) outcomes.push(o.outcome);
      }
      const input = buildServiceInput({
        spec,
        policy_commit: commit,
        now,
        state: before,
        node_counts: counts,
        nodes: nodes.of(spec.service),
        dns_ttl_ms: gtm ? largestDnsTtlMs([gtm]) : 0,
        ...(gtm ? { heartbeat_timeout_ms: gtm.health.heartbeat_timeout_ms } : {}),
        command_outcomes: outcomes,
      });
      const { events, state } = decide(input, this.opts.source);
      report.services++;
      report.regions += spec.regions.length;
      if (events.length > 0) {
        try {
          await emitter.record(events);
          store.set(spec.service, state);
          report.events += events.length;
          report.decided += events.filter((e: AutoscaleEvent) => e.type === 'ScaleDecided').length;
        } catch (err) {
          // Part of it may be recorded: the stream, not this copy, is the truth from here on.
          store.markStale(spec.service);
          report.failed++;
          log.error({ service: spec.service, err: (err as Error).message }, 'recording the decision failed; the state is re-read from DECISIONS before the next pass');
        }
      }
      for (const rs of Object.values(state.regions)) if (rs.pending) pending.add(rs.pending.id);
    }
    book.retain(pending);
    return report;
  }
}
