// The leader's reconcile loop: for every declared domain, decide (pure), record the decision,
// render the answer in the provider's model and, when it differs from what was last commanded,
// emit one DnsApply command carrying the full desired record sets.
import type { KV } from '@nats-io/kv';
import { BUCKETS, declarationsOf, ensureBucket, lastEventOn, publishEvent, readBucket, STREAMS, type DesiredWatcher, type Plane } from '@plane/backbone';
import type { GtmSpec } from '@plane/declarations';
import { ProviderCache, recordKey, renderRecordSets, sameRecordSet, ZoneResolver, type RecordSet } from '@plane/dns';
import { canonicalJson, domainToken, envelope, subjects, type DnsApply, type EventEnvelope } from '@plane/events';
import { buildDomainInputs, decideDomain, initialDomainState, type DomainInput, type DomainState } from '@plane/gtm';
import type { Logger } from '@plane/runtime';
import type { HealthWorker } from './health/worker.js';
import { dnsKey, type AppliedEntry } from './dns/executor.js';
import { DomainZones } from './zones.js';

/** An operator's suspend of a service (planectl suspend), on top of a declared `suspend: true`. */
export interface SuspendOverride {
  reason: string;
}

export interface ReconcilerOptions {
  plane: Plane;
  log: Logger;
  desired: DesiredWatcher;
  health: HealthWorker;
  source: string;
  dryRun: boolean;
  overrides?: () => Map<string, SuspendOverride>;
  now?: () => number;
  onDecision?: (e: EventEnvelope) => void;
  /** Zones of domains without a declared dns.zone (default: a resolver of its own). */
  zones?: ZoneResolver;
}

const encoder = new TextEncoder();

function sameSets(a: RecordSet[], b: RecordSet[]): boolean {
  if (a.length !== b.length) return false;
  const byKey = new Map(b.map((r) => [recordKey(r), r]));
  return a.every((r) => {
    const o = byKey.get(recordKey(r));
    return o !== undefined && sameRecordSet(r, o);
  });
}

export class Reconciler {
  private gtmKv!: KV;
  private readonly states = new Map<string, DomainState>();
  /** Record sets last commanded per domain (seeded from the `dns` bucket). */
  private readonly commanded = new Map<string, RecordSet[]>();
  private running: Promise<void> | undefined;
  /** Domains whose rendered answer was compared with the last command since start (and commanded when it differed). */
  private readonly verified = new Set<string>();
  /** Domains whose state is newer in memory than in the `gtm` bucket (a write failed): written at the next pass. */
  private readonly unsaved = new Set<string>();
  stats = { decisions: 0, commands: 0, reconciles: 0 };

  constructor(private readonly opts: ReconcilerOptions) {}

  async start(): Promise<void> {
    const { plane } = this.opts;
    this.gtmKv = await ensureBucket(plane.nc, BUCKETS.gtm);
    for (const [k, v] of await readBucket(this.gtmKv)) this.states.set(k, v as DomainState);
    const applied: AppliedEntry[] = [];
    for (const v of (await readBucket(await ensureBucket(plane.nc, BUCKETS.dns))).values()) {
      const e = v as AppliedEntry;
      this.commanded.set(e.name, e.record_sets);
      applied.push(e);
    }
    const resolver = this.opts.zones ?? new ZoneResolver(new ProviderCache());
    this.zones = new DomainZones({ plane, log: this.opts.log, resolver, source: this.opts.source, ...(this.opts.onDecision ? { onAlert: this.opts.onDecision } : {}) });
    this.zones.seed(applied);
  }

  /** One pass over every domain; passes never overlap. */
  reconcile(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Each domain's zone; a domain whose zone cannot be determined sits out the pass (recorded). */
  private zones!: DomainZones;

  private async pass(): Promise<void> {
    const { plane, log } = this.opts;
    const now = (this.opts.now ?? Date.now)();
    const snapshot = this.opts.desired.current();
    const live = this.opts.health.isLive();
    const stale = plane.nc.isClosed() ? 'the NATS connection is closed' : !live ? 'the health projection is still catching up with NODES' : null;
    const overrides = this.opts.overrides?.() ?? new Map<string, SuspendOverride>();
    this.stats.reconciles++;
    const nodes = [...this.opts.health.nodes.values()].map((r) => r.health);
    for (const decl of declarationsOf<GtmSpec>(snapshot, 'gtm').values()) {
      const spec = decl.spec;
      const inputs: DomainInput[] = [];
      for (const d of spec.domains) {
        // No zone, nothing decided: the domain's DNS stays as it is and the other domains go on.
        const zone = await this.zones.zoneOf(spec, d.name, this.states.get(domainToken(d.name)) ?? initialDomainState(), now);
        if (zone === undefined) continue;
        if (this.zones.moved(d.name, zone)) {
          // Its zone changed (a more specific zone appeared, or dns.zone was declared): the records
          // are commanded into the new zone even though the answer stays the same.
          this.commanded.delete(d.name);
          this.verified.delete(d.name);
        }
        inputs.push(...buildDomainInputs({ spec: { ...spec, domains: [d] }, commit: decl.commit, nodes, suspend: overrides.get(spec.service) ?? null, fresh: stale === null, stale_reason: stale, zone }));
      }
      for (const input of inputs) {
        const key = domainToken(input.domain);
        const before = this.states.get(key) ?? initialDomainState();
        const { events, state } = decideDomain(input, before, now, this.opts.source);
        let decisionSeq = 0;
        let decisionId: string | undefined;
        /** The command's id when it is not the decision's: sent to another zone than the one decided with. */
        let commandId: string | undefined;
        for (const e of events) {
          const subject = e.type === 'GtmAlert' ? subjects.gtmAlert(input.domain) : subjects.gtmDecision(input.domain);
          const pub = await publishEvent(plane.js, subject, e);
          this.opts.onDecision?.(e);
          if (e.type === 'GtmDecided') {
            decisionSeq = pub.seq;
            decisionId = e.id;
            this.stats.decisions++;
            log.info({ event: e.id, seq: pub.seq, domain: input.domain }, (e.data as { reason: string }).reason);
          } else {
            log.warn({ event: e.id, domain: input.domain }, (e.data as { message: string }).message);
          }
        }
        // A new answer is compared with what was commanded again, even when this pass fails
        // before its command goes out (a NATS server going away): the next pass sends it.
        if (state.answer !== before.answer) this.verified.delete(input.domain);
        if (canonicalJson(state) !== canonicalJson(before) || this.unsaved.has(key)) {
          this.states.set(key, state);
          this.unsaved.add(key);
          await this.gtmKv.put(key, encoder.encode(JSON.stringify(state)));
          this.unsaved.delete(key);
        }
        if (!state.answer || this.opts.dryRun || input.suspended) continue;
        // An answer the decider left as it was needs no rendering once it has been compared with
        // what was commanded since this replica started.
        if (state.answer === before.answer && this.verified.has(input.domain)) continue;
        const wanted = renderRecordSets(input.provider, state.answer, { cloudflareMode: spec.dns.provider === 'cloudflare' ? spec.dns.mode : 'dns' });
        const last = this.commanded.get(input.domain);
        if (last && sameSets(last, wanted)) {
          this.verified.add(input.domain);
          continue;
        }
        if (!decisionId) {
          // The desired records differ from the last command without a new decision (a restart
          // between the decision and its command): command it under the last recorded decision.
          const last = await lastEventOn(plane.jsm, STREAMS.decisions.name, subjects.gtmDecision(input.domain));
          if (!last) continue;
          decisionId = last.event.id;
          decisionSeq = last.seq;
          const decidedZone = (last.event.data as { zone?: string }).zone;
          if (decidedZone !== undefined && decidedZone !== input.zone) commandId = `${decisionId}:zone:${input.zone}`;
        }
        const cmd: DnsApply = envelope(
          'DnsApply',
          commandId ?? decisionId,
          { provider: input.provider, zone: input.zone, settings: spec.dns as unknown as Record<string, unknown>, service: input.service, domain: input.domain, names: [input.domain], record_sets: wanted, decision_id: decisionId, decision_seq: decisionSeq },
          this.opts.source,
          new Date(now),
        );
        await publishEvent(plane.js, subjects.dnsCommand(input.provider, input.zone), cmd);
        this.commanded.set(input.domain, wanted);
        this.verified.add(input.domain);
        this.stats.commands++;
        log.info({ command: cmd.id, domain: input.domain, zone: input.zone, provider: input.provider, record_sets: wanted.length }, `${input.domain}: DNS-apply command issued`);
      }
    }
  }

  domainKeys(): string[] {
    return [...this.states.keys()];
  }

  keyOf(zone: string, name: string): string {
    return dnsKey(zone, name);
  }
}
