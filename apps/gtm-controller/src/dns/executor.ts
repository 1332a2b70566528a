// The DNS-apply executor: consumes DnsApply commands from the COMMANDS work queue, one durable
// consumer per provider (one provider failing never holds back another), reads the provider's
// current records, computes the change itself (so a redelivered command changes nothing twice),
// applies it, records the outcome, updates the `dns` bucket, and only then acks.
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { BUCKETS, ensureBucket, isNotFound, publishEvent, runWorkQueue, STREAMS, type Plane, type WorkQueueRunner } from '@plane/backbone';
import type { DnsSpec } from '@plane/declarations';
import { describeChange, DnsProviderError, planDnsChanges, type ProviderKind } from '@plane/dns';
import { decodeEvent, domainToken, envelope, subjects, type DnsApply, type DnsOutcome, type DnsOutcomeData, type DnsOutcomeKind } from '@plane/events';
import type { Logger } from '@plane/runtime';
import type { ProviderCache } from '@plane/dns';

export const PROVIDERS: ProviderKind[] = ['powerdns', 'route53', 'cloudflare', 'alidns'];

export interface AppliedEntry {
  zone: string;
  name: string;
  provider: string;
  record_sets: DnsApply['data']['record_sets'];
  decision_id: string;
  decision_seq: number;
  applied_at: string;
}

export interface ExecutorOptions {
  plane: Plane;
  log: Logger;
  providers: ProviderCache;
  source: string;
  onOutcome?: (o: DnsOutcomeData) => void;
  /** Base of the retry backoff (doubles per delivery, with jitter, capped at 60 s). */
  retryBaseMs?: number;
  maxAttempts?: number;
}

const ACK_WAIT_MS = 15_000;

export function dnsKey(zone: string, name: string): string {
  return `${domainToken(zone)}.${domainToken(name)}`;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class DnsExecutor {
  private kv!: KV;
  private readonly runners: WorkQueueRunner[] = [];

  constructor(private readonly opts: ExecutorOptions) {}

  async start(): Promise<void> {
    const { plane } = this.opts;
    this.kv = await ensureBucket(plane.nc, BUCKETS.dns);
    for (const provider of PROVIDERS) {
      const durable = `dns-executor-${provider}`;
      const config = {
        durable_name: durable,
        filter_subject: `cmd.dns.${provider}.>`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        // Short, so a command whose executor died is redelivered soon; a long apply (Route53
        // waiting for INSYNC) keeps its message with in-progress acks.
        ack_wait: ACK_WAIT_MS * 1_000_000,
        max_deliver: -1,
        max_ack_pending: 1,
      };
      const ensure = async (): Promise<void> => {
        try {
          const have = await plane.jsm.consumers.info(STREAMS.commands.name, durable);
          if (have.config.ack_wait !== config.ack_wait) await plane.jsm.consumers.update(STREAMS.commands.name, durable, { ack_wait: config.ack_wait });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await plane.jsm.consumers.add(STREAMS.commands.name, config);
        }
      };
      // Consumes again by itself when a NATS server going away stalls the consumer (runWorkQueue).
      this.runners.push(
        await runWorkQueue(plane.js, plane.jsm, {
          stream: STREAMS.commands.name,
          durable,
          ensure,
          handle: (m) => this.handle(m),
          onTrouble: (message, err) => this.opts.log.warn(err === undefined ? {} : { err: err instanceof Error ? err.message : String(err) }, message),
        }),
      );
    }
  }

  private async lastApplied(zone: string, name: string): Promise<AppliedEntry | undefined> {
    const e = await this.kv.get(dnsKey(zone, name));
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
    return JSON.parse(decoder.decode(e.value)) as AppliedEntry;
  }

  private async record(cmd: DnsApply, outcome: DnsOutcomeKind, fields: Partial<DnsOutcomeData>, attempt: number): Promise<void> {
    const d = cmd.data;
    const data: DnsOutcomeData = {
      service: d.service,
      domain: d.domain,
      provider: d.provider,
      zone: d.zone,
      decision_id: d.decision_id,
      decision_seq: d.decision_seq,
      outcome,
      changes: [],
      calls: 0,
      reason: '',
      attempt,
      error: null,
      ...fields,
    };
    // The command's id is its decision's, or `<decision>:zone:<zone>` when it moves a domain's
    // records to another zone without a new decision: its outcomes must not pass for the earlier ones.
    const event: DnsOutcome = envelope('DnsOutcome', `dns:${cmd.id}:${outcome}:${attempt}`, data, this.opts.source);
    // The effect already happened: the record of it must not be lost to a brief NATS outage (a
    // cluster electing a new stream leader). Retried with the same id, so it is stored once.
    for (let i = 0; ; i++) {
      try {
        await publishEvent(this.opts.plane.js, subjects.dnsOutcome(outcome, d.zone), event);
        break;
      } catch (err) {
        if (i >= 20) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      }
    }
    this.opts.onOutcome?.(data);
    const level = outcome === 'failed' || outcome === 'conflict' ? 'error' : outcome === 'retrying' ? 'warn' : 'info';
    this.opts.log[level]({ event: event.id, decision: d.decision_id, zone: d.zone, domain: d.domain, outcome, calls: data.calls, changes: data.changes }, `${d.domain}: ${outcome}${data.reason ? `: ${data.reason}` : ''}`);
  }

  private async handle(m: JsMsg): Promise<void> {
    const keepAlive = setInterval(() => m.working(), ACK_WAIT_MS / 3);
    try {
      await this.handleCommand(m);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async handleCommand(m: JsMsg): Promise<void> {
    const attempt = m.info.deliveryCount;
    let cmd: DnsApply;
    try {
      cmd = decodeEvent(m.data) as DnsApply;
    } catch (err) {
      this.opts.log.error({ subject: m.subject, err: String(err) }, 'COMMANDS: dropped a message that is not a command');
      m.term();
      return;
    }
    const d = cmd.data;
    try {
      // Never let an older command undo a newer one.
      const newest = await Promise.all(d.names.map((n) => this.lastApplied(d.zone, n)));
      const newer = newest.find((e) => e && e.decision_seq > d.decision_seq);
      if (newer) {
        await this.record(cmd, 'superseded', { reason: `decision ${newer.decision_id} (seq ${newer.decision_seq}) is newer and already applied` }, attempt);
        m.ack();
        return;
      }
      const provider = this.opts.providers.get(d.settings as unknown as DnsSpec);
      const current = await provider.records(d.zone, d.names);
      const plan = planDnsChanges(d.names, d.record_sets, current);
      let calls = 0;
      if (plan.conflicts.length > 0) {
        const what = plan.conflicts.map((c) => `${c.name} holds records not made by plane: ${c.foreign.map((f) => `${f.type} ${f.values.join(',')}`).join('; ')}`).join(' | ');
        await this.record(cmd, 'conflict', { reason: `${what}; not taken over, waiting for a human` }, attempt);
      } else if (plan.changes.length === 0) {
        await this.record(cmd, 'noop', { reason: 'the provider already holds the desired records' }, attempt);
      } else {
        const result = await provider.apply(d.zone, plan.changes);
        calls = result.calls;
        await this.record(cmd, 'applied', { changes: plan.changes.map(describeChange), calls, reason: `${plan.changes.length} change(s)` }, attempt);
      }
      if (plan.conflicts.length === 0) {
        const at = new Date().toISOString();
        await Promise.all(
          d.names.map((name) => {
            const entry: AppliedEntry = { zone: d.zone, name, provider: d.provider, record_sets: d.record_sets.filter((r) => r.name === name), decision_id: d.decision_id, decision_seq: d.decision_seq, applied_at: at };
            return this.kv.put(dnsKey(d.zone, name), encoder.encode(JSON.stringify(entry)));
          }),
        );
      }
      m.ack();
    } catch (err) {
      const e = err instanceof DnsProviderError ? err : undefined;
      const error = { status: e?.status ?? null, code: e?.code ?? null, message: err instanceof Error ? err.message : String(err) };
      const maxAttempts = this.opts.maxAttempts ?? 20;
      if ((e === undefined || e.retryable) && attempt < maxAttempts) {
        const base = this.opts.retryBaseMs ?? 500;
        const wait = Math.max((e?.retryAfterS ?? 0) * 1000, Math.min(60_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        await this.record(cmd, 'retrying', { error, reason: `attempt ${attempt} failed; retrying in ${Math.round(wait)} ms` }, attempt).catch(() => undefined);
        m.nak(Math.round(wait));
      } else {
        await this.record(cmd, 'failed', { error, reason: e && !e.retryable ? 'the provider refused the change' : `gave up after ${attempt} attempts` }, attempt).catch(() => undefined);
        m.term();
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}
