import { connectPlane, natsSettingsFromFlags, STREAMS } from '@plane/backbone';
import { COMMON_FLAGS, ConfigError, helpText, parseFlags, runMain, type FlagSpec } from '@plane/runtime';
import { eventsCommand } from './events.js';
import { validateCommand } from './validate.js';
import { explainCommand, replayCommand } from './decisions.js';
import { planCommand } from './plan.js';
import { drainCommand, overrideCommand, statusCommand } from './operate.js';

const VERBS = ['validate', 'events', 'sync', 'plan', 'status', 'explain', 'replay', 'suspend', 'resume', 'drain', 'undrain'] as const;
type Verb = (typeof VERBS)[number];

const FLAGS: FlagSpec[] = [
  { name: 'stream', type: 'string', default: STREAMS.declarations.name, description: 'events: the stream to read' },
  { name: 'subject', type: 'string', default: '>', description: 'events: subject filter (wildcards * and >)' },
  { name: 'since', type: 'string', description: 'events: a stream sequence, an ISO time, or a duration back (10m)' },
  { name: 'follow', type: 'bool', description: 'events: keep printing new events' },
  { name: 'limit', type: 'int', description: 'events: print at most this many' },
  { name: 'json', type: 'bool', description: 'print JSON lines instead of text' },
  { name: 'repo-name', type: 'string', description: 'sync: only the gitops-sync of this repository' },
  { name: 'timeout', type: 'duration', default: '60s', description: 'sync: how long to wait for the answer' },
  { name: 'reason', type: 'string', description: 'suspend/resume/drain/undrain: why (recorded with who)' },
  { name: 'live', type: 'bool', description: 'plan: compare with the provider\'s records now (needs its credentials) instead of the last applied ones' },
  { name: 'verify', type: 'bool', description: 'replay: re-run every recorded decision and report any that differ' },
  ...COMMON_FLAGS,
];

const USAGE = `usage: planectl <verb> [flags]
verbs:
  validate [DIR]   check a platform-config folder; FILE:LINE:COL: message per error; exit 0 valid, 1 invalid
  events           print recorded events (--stream, --subject, --since, --follow, --json)
  sync             ask a running gitops-sync to sync now
  plan             the DNS changes that would be applied now, per zone, without applying (--live)
  status           per domain: regions, weights, ready/total nodes, last decision; per region: nodes, pending scale operations
  suspend SERVICE  stop reconciling a service (nothing deleted) until resume; --reason (recorded with who)
  resume SERVICE   end an operator's suspend
  drain NODE       take <service>.<region>.<node_id> out of DNS for maintenance, kept registered; --reason
  undrain NODE     return a drained node
  explain ID       a decision: why, its inputs, regions, and what the executors did with it
  replay --verify  re-run every recorded decision (--since SEQ) and report any that differ`;

async function main(): Promise<number> {
  const [verb, ...rest] = process.argv.slice(2);
  if (!verb || verb === '--help' || verb === 'help') {
    process.stdout.write(`${USAGE}\n\n${helpText('planectl', 'operator CLI', FLAGS)}\n`);
    return verb ? 0 : 2;
  }
  if (!(VERBS as readonly string[]).includes(verb)) throw new ConfigError(`unknown verb "${verb}"\n${USAGE}`);
  const { values: f, positionals } = parseFlags(rest, FLAGS);
  const out = (s: string) => process.stdout.write(s + '\n');
  const err = (s: string) => process.stderr.write(s + '\n');
  switch (verb as Verb) {
    case 'validate':
      if (positionals.length > 1) throw new ConfigError('validate takes at most one folder');
      return validateCommand(positionals[0], out, err);
    case 'events': {
      const plane = await connectPlane({ ...natsSettingsFromFlags(f, 'planectl'), reconnectForever: false });
      try {
        return await eventsCommand(
          plane.js,
          plane.jsm,
          { stream: String(f.stream), subject: String(f.subject), follow: Boolean(f.follow), json: Boolean(f.json), ...(f.since ? { since: String(f.since) } : {}), ...(f.limit !== undefined ? { limit: f.limit as number } : {}) },
          out,
        );
      } finally {
        await plane.close();
      }
    }
    case 'plan': {
      const plane = await connectPlane({ ...natsSettingsFromFlags(f, 'planectl'), reconnectForever: false });
      try {
        return await planCommand(plane, Boolean(f.live), out);
      } finally {
        await plane.close();
      }
    }
    case 'status':
    case 'suspend':
    case 'resume':
    case 'drain':
    case 'undrain': {
      if (verb !== 'status' && positionals.length !== 1) throw new ConfigError(`${verb} takes one ${verb.endsWith('drain') ? 'node (<service>.<region>.<node_id>)' : 'service'}`);
      const plane = await connectPlane({ ...natsSettingsFromFlags(f, 'planectl'), reconnectForever: false });
      try {
        const reason = f.reason ? String(f.reason) : '';
        if (verb === 'status') return await statusCommand(plane, Boolean(f.json), out);
        if (verb === 'suspend' || verb === 'resume') return await overrideCommand(plane, positionals[0]!, verb === 'suspend', reason, out);
        return await drainCommand(plane, positionals[0]!, verb === 'drain', reason, out);
      } finally {
        await plane.close();
      }
    }
    case 'explain': {
      if (positionals.length !== 1) throw new ConfigError('explain takes one decision id');
      const plane = await connectPlane({ ...natsSettingsFromFlags(f, 'planectl'), reconnectForever: false });
      try {
        return await explainCommand(plane.js, plane.jsm, positionals[0]!, Boolean(f.json), out);
      } finally {
        await plane.close();
      }
    }
    case 'replay': {
      if (!f.verify) throw new ConfigError('replay needs --verify (replay only verifies; it never re-applies)');
      const since = f.since ? Number(f.since) : undefined;
      if (since !== undefined && !Number.isInteger(since)) throw new ConfigError('replay --since takes a stream sequence');
      const plane = await connectPlane({ ...natsSettingsFromFlags(f, 'planectl'), reconnectForever: false });
      try {
        return await replayCommand(plane.js, plane.jsm, since, out);
      } finally {
        await plane.close();
      }
    }
    case 'sync': {
      const plane = await connectPlane({ ...natsSettingsFromFlags(f, 'planectl'), reconnectForever: false });
      try {
        const subject = f['repo-name'] ? `plane.ctl.sync.${String(f['repo-name'])}` : 'plane.ctl.sync';
        const reply = await plane.nc.request(subject, new Uint8Array(), { timeout: f.timeout as number }).catch((e: unknown) => {
          throw new Error(`no gitops-sync answered on ${subject} (${(e as Error).message}); is one running against this NATS?`);
        });
        const r = JSON.parse(new TextDecoder().decode(reply.data)) as { ok: boolean; repo: string; outcome?: string; commit?: string; error?: string; errors?: unknown[] };
        if (f.json) out(JSON.stringify(r));
        else if (!r.ok) out(`${r.repo}: sync failed: ${r.error}`);
        else out(`${r.repo}@${(r.commit ?? '').slice(0, 12)}: ${r.outcome}`);
        return r.ok && r.outcome !== 'rejected' ? 0 : 1;
      } finally {
        await plane.close();
      }
    }
  }
}

runMain('planectl', main);
