// What the control plane records, as it happens: core subscriptions on the subjects of the
// streams (every JetStream publish is also a core message), for the narration and for the
// details of the summary (weights, reasons). The scenario's pass/fail rests on what is observed
// outside (DNS answers, Git commits, processes); these events explain it.
import type { Plane } from '@plane/backbone';
import { decodeEvent } from '@plane/events';
import type { Display } from './display.js';

export interface SeenEvent {
  subject: string;
  type: string;
  id: string;
  // The events' data, read loosely (each type has its own shape).
  data: Record<string, unknown>;
  /** When the demo received it. */
  at: number;
}

const SUBJECTS = [
  'decl.sync.>',
  'decl.rejected.>',
  'node.*.*.*.registered',
  'node.*.*.*.deregistered',
  'node.*.*.*.state',
  'node.*.*.*.drain',
  'gtm.decision.>',
  'gtm.alert.>',
  'autoscale.>',
  'dns.>',
  'git.>',
];

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

export class EventWatch {
  readonly events: SeenEvent[] = [];
  private readonly subs: { unsubscribe(): void }[] = [];

  constructor(
    private readonly plane: Plane,
    private readonly display: Display,
  ) {}

  start(): void {
    for (const subject of SUBJECTS) {
      const sub = this.plane.nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const e = decodeEvent(msg.data) as { type: string; id: string; data: Record<string, unknown> };
            const seen: SeenEvent = { subject: msg.subject, type: e.type, id: e.id, data: e.data ?? {}, at: Date.now() };
            this.events.push(seen);
            this.narrate(seen);
          } catch {
            // not an event of ours
          }
        },
      });
      this.subs.push(sub);
    }
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  find(pred: (e: SeenEvent) => boolean, since = 0): SeenEvent | undefined {
    return this.events.find((e) => e.at >= since && pred(e));
  }

  last(pred: (e: SeenEvent) => boolean, since = 0): SeenEvent | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.at < since) break;
      if (pred(e)) return e;
    }
    return undefined;
  }

  private narrate(e: SeenEvent): void {
    const d = e.data;
    const node = () => `${str(d.region)}/${str(d.node_id)}`;
    const show = this.display;
    switch (e.type) {
      case 'SyncCompleted':
        return show.event('gitops', `commit ${str(d.commit).slice(0, 7)} in force (${Object.keys((d.declarations as object) ?? {}).length} declarations; +${(d.added as unknown[] | undefined)?.length ?? 0} ~${(d.changed as unknown[] | undefined)?.length ?? 0} -${(d.removed as unknown[] | undefined)?.length ?? 0})`);
      case 'SyncRejected':
        return show.event('gitops', `commit ${str(d.commit).slice(0, 7)} REJECTED: ${((d.errors as { file: string; message: string }[] | undefined) ?? []).slice(0, 3).map((x) => `${x.file}: ${x.message}`).join('; ')}`, true);
      case 'NodeRegistered':
        return show.event('api', `${node()} registered ${((d.ips as string[] | undefined) ?? []).join(', ')}`);
      case 'NodeDeregistered':
        return show.event('api', `${node()} deregistered${d.reason ? ` (${str(d.reason)})` : ''}`, true);
      case 'NodeReady':
      case 'NodeSuspect':
      case 'NodeDown':
        return show.event('health', `${node()} ${str(d.from) || 'new'} -> ${str(d.to)}: ${str(d.reason)}`, e.type !== 'NodeSuspect');
      case 'NodeDrainChanged':
        return show.event('drain', `${node()} ${d.draining ? 'draining' : 'back in service'} (by ${str(d.by)}): ${str(d.reason)}`, true);
      case 'GtmDecided':
        return show.event('gtm', `${str(d.reason)}${d.outcome && d.outcome !== 'changed' ? ` [${str(d.outcome)}]` : ''}`, true);
      case 'GtmAlert':
        return show.event('gtm alert', `${str(d.kind)}: ${str(d.message)}`, true);
      case 'DnsOutcome': {
        const changes = (d.changes as string[] | undefined) ?? [];
        return show.event('dns', `${str(d.outcome)} ${changes.slice(0, 4).join('; ')}${changes.length > 4 ? ` (+${changes.length - 4})` : ''}${d.outcome === 'failed' ? `: ${str(d.reason)}` : ''}`, d.outcome === 'failed');
      }
      case 'GitCommitOutcome':
        return show.event('git', `${str(d.status)}${d.sha ? ` ${str(d.sha).slice(0, 7)}` : ''}: ${str(d.reason)}`, d.status !== 'retrying');
      case 'ScaleSteady':
      case 'ScaleHeld':
        return show.event('autoscaler', str(d.reason));
      default:
        if (e.subject.startsWith('autoscale.')) return show.event('autoscaler', `${e.type}: ${str(d.reason ?? d.message)}`, true);
    }
  }
}
