// Where capacity goes (DECLARATIONS.md): each region's own need first, then the global bounds,
// with cost deciding only where the choice is open. Regions that may not act (count unknown,
// pending, cooldown, backoff) keep the count they are at or going to, and are never chosen.
import type { AutoscaleGlobalSpec } from '@plane/declarations';
import { clockText, durationText, num } from './format.js';
import { overText, underText, valuesText } from './metrics.js';
import type { CauseNote, HoldNote, RegionView } from './region-view.js';
import { highestInWindow, stabilizedUntil } from './stabilization.js';
import type { PendingAction, ScaleInput, ScaleKind } from './types.js';

const byName = (a: RegionView, b: RegionView): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const cheapestFirst = (a: RegionView, b: RegionView): number => a.spec.cost - b.spec.cost || byName(a, b);
const dearestFirst = (a: RegionView, b: RegionView): number => b.spec.cost - a.spec.cost || byName(a, b);

function hold(code: HoldNote['code'], wish: ScaleKind | null, key: string, reason: string, until: number | null = null, related: string | null = null): HoldNote {
  return { code, wish, key, reason, until, related_decision_id: related };
}

export function wishWords(region: string, wish: ScaleKind | null): string {
  return wish === 'scale_out' ? `${region} scale-out` : wish === 'scale_in' ? `${region} scale-in` : region;
}

class Totals {
  total = 0;
  active = 0;

  constructor(
    views: readonly RegionView[],
    readonly g: AutoscaleGlobalSpec,
  ) {
    for (const v of views) {
      this.total += v.planned;
      if (v.planned > 0) this.active++;
    }
  }

  get room(): number {
    return this.g.max_nodes - this.total;
  }

  /** A region with 0 nodes may become active only below max_regions. */
  mayGrow(v: RegionView): boolean {
    return v.planned > 0 || this.active < this.g.max_regions;
  }

  grow(v: RegionView, n: number, cause: CauseNote): void {
    if (v.planned === 0) this.active++;
    v.planned += n;
    this.total += n;
    v.causes.push(cause);
    v.hold = null;
    v.desireIn = null;
  }

  shrink(v: RegionView, n: number, cause: CauseNote): void {
    v.planned -= n;
    this.total -= n;
    if (v.planned === 0) this.active--;
    v.causes.push(cause);
    v.hold = null;
  }
}

/** What each region wants by itself: its bounds, then its signals (scale-in stabilized). */
function ownNeeds(views: readonly RegionView[], input: ScaleInput): void {
  const windowMs = input.spec.scale_down_stabilization_ms;
  for (const v of views) {
    if (v.freeze !== null || v.count === null) continue;
    const c = v.count;
    const { min_nodes: min, max_nodes: max, scale_up_step: up, scale_down_step: down } = v.spec;
    if (c < min) {
      v.desireOut = { to: min, cause: { cause: 'region_min', reason: `below min_nodes ${min}`, short: `min_nodes=${min}` } };
    } else if (c > max) {
      if (v.metrics === null) {
        v.hold = hold('no_fresh_metrics', 'scale_in', 'no_fresh_metrics', `${v.name} scale-in held: no fresh metrics (above max_nodes ${max}; ${noMetricsWhy(v, input)})`);
      } else {
        v.desireIn = { to: max, cause: { cause: 'region_max', reason: `above max_nodes ${max}`, short: `max_nodes=${max}` } };
      }
    } else if (v.load.over.length > 0) {
      if (c < max) {
        v.desireOut = { to: Math.min(c + up, max), cause: { cause: 'signal_over', reason: overText(v.load.over), short: valuesText(v.load.over) } };
      } else {
        v.hotAtMax = true;
      }
    } else if (v.load.under) {
      const lowest = Math.max(c - down, min);
      if (lowest < c) {
        const highest = highestInWindow(v.rs.recommendations, input.now, windowMs, lowest, c);
        const under = underText(v.signals);
        const stabilization = `stabilization: highest recommendation in the last ${durationText(windowMs)} is ${highest}`;
        if (highest >= c) {
          const until = stabilizedUntil(v.rs.recommendations, input.now, windowMs, lowest);
          v.hold = hold('stabilization', 'scale_in', `stabilization:${highest}`, `${v.name} scale-in held: ${stabilization} (${under}; no scale-in before ${clockText(until, input.now)} if it stays so)`, until);
        } else {
          const values = valuesText(v.signals.filter((s) => s.down !== null));
          v.desireIn = { to: highest, cause: { cause: 'signals_under', reason: highest > lowest ? `${under}; ${stabilization}` : under, short: values } };
        }
      }
    } else if (v.metrics === null && c > 0) {
      v.hold = hold('no_fresh_metrics', null, 'no_fresh_metrics', `${v.name} scale-in held: no fresh metrics (${noMetricsWhy(v, input)})`);
    }
  }
}

export function noMetricsWhy(v: RegionView, input: ScaleInput): string {
  const ready = v.nodes.filter((n) => n.state === 'ready' || n.state === 'suspect');
  if (ready.length === 0) return `none of ${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'} ready`;
  const warming = ready.filter((n) => n.ready_since !== null && input.now - n.ready_since < input.spec.warmup_ms).length;
  return `${ready.length} ready, ${warming} within warmup ${durationText(input.spec.warmup_ms)}, none reporting fresh metrics`;
}

function globalMaxHold(v: RegionView, t: Totals): HoldNote {
  return hold('global_max_nodes', 'scale_out', `global_max_nodes:${t.g.max_nodes}`, `${v.name} scale-out held: global max_nodes ${t.g.max_nodes} reached (${t.total} nodes)`);
}

function maxRegionsHold(v: RegionView, t: Totals): HoldNote {
  return hold('max_regions', 'scale_out', `max_regions:${t.g.max_regions}`, `${v.name} scale-out held: global max_regions ${t.g.max_regions} reached (${t.active} regions with nodes)`);
}

function limitedNote(n: number, wanted: number, bound: string): string {
  return n < wanted ? `; limited by ${bound}` : '';
}

/** Regions that may receive nodes chosen by cost (overflow, global minimums). */
function mayReceive(v: RegionView, t: Totals): boolean {
  return v.freeze === null && v.count !== null && v.planned < v.spec.max_nodes && t.mayGrow(v);
}

function whyNotReceiving(v: RegionView, t: Totals, now: number): string {
  if (v.freeze !== null) {
    if (v.freeze.code === 'node_count_unknown') return `${v.name}: node_count unknown`;
    if (v.freeze.code === 'pending') return `${v.name}: pending ${v.rs.pending?.kind ?? ''}`.trimEnd();
    return `${v.name}: ${v.freeze.code} until ${clockText(v.freeze.until ?? now, now)}`;
  }
  if (v.planned >= v.spec.max_nodes) return `${v.name}: at max_nodes ${v.spec.max_nodes}`;
  if (!t.mayGrow(v)) return `${v.name}: max_regions ${t.g.max_regions}`;
  return v.name;
}

/**
 * Fill in `planned`, `causes`, `origin`, `hold` and `overflowTo` on every region view.
 * `pendingByOrigin`: actions in flight that serve another region's overflow, by that region.
 */
export function planCapacity(views: readonly RegionView[], input: ScaleInput, pendingByOrigin: ReadonlyMap<string, PendingAction & { region: string }>): void {
  const g = input.spec.global;
  const now = input.now;
  ownNeeds(views, input);
  const t = new Totals(views, g);
  const cheap = [...views].sort(cheapestFirst);
  const dear = [...views].sort(dearestFirst);

  // 1. A region below its own min_nodes is raised (metrics or not), then 2. hot regions grow
  // themselves, cheapest first when global.max_nodes leaves room for only some.
  for (const cause of ['region_min', 'signal_over'] as const) {
    for (const v of cheap) {
      const want = v.desireOut;
      if (want === null || want.cause.cause !== cause || v.count === null) continue;
      const need = want.to - v.planned;
      if (need <= 0) continue;
      if (!t.mayGrow(v)) {
        v.hold = maxRegionsHold(v, t);
        continue;
      }
      const n = Math.min(need, t.room);
      if (n <= 0) {
        v.hold = globalMaxHold(v, t);
        continue;
      }
      t.grow(v, n, { ...want.cause, reason: want.cause.reason + limitedNote(n, need, `global max_nodes ${g.max_nodes}`) });
    }
  }

  // 3. A hot region already at its max_nodes overflows to the cheapest region with headroom.
  for (const v of cheap) {
    if (!v.hotAtMax) continue;
    const atMax = `at max_nodes ${v.spec.max_nodes} (${overText(v.load.over)})`;
    const inFlight = pendingByOrigin.get(v.name);
    if (inFlight !== undefined) {
      v.hold = hold(
        'overflowed',
        'scale_out',
        `overflow:${inFlight.id}`,
        `${v.name} scale-out held: ${atMax}; overflow ${inFlight.region} ${inFlight.kind} ${inFlight.from} -> ${inFlight.to} pending since ${clockText(inFlight.since, now)}`,
        null,
        inFlight.id,
      );
      continue;
    }
    const target = cheap.find((o) => o !== v && mayReceive(o, t));
    if (target === undefined) {
      const others = cheap.filter((o) => o !== v).map((o) => whyNotReceiving(o, t, now));
      v.hold = hold('no_headroom', 'scale_out', 'no_headroom', `${v.name} scale-out held: ${atMax} and no region has headroom${others.length > 0 ? ` (${others.join('; ')})` : ''}`);
      continue;
    }
    const want = Math.min(v.spec.scale_up_step, target.spec.max_nodes - target.planned);
    const n = Math.min(want, t.room);
    if (n <= 0) {
      v.hold = globalMaxHold(v, t);
      continue;
    }
    t.grow(target, n, {
      cause: 'overflow',
      reason: `overflow: ${v.name} ${atMax}; ${target.name} is the cheapest region with headroom (cost ${num(target.spec.cost)})${limitedNote(n, want, `global max_nodes ${g.max_nodes}`)}`,
      short: `overflow ${v.name} ${valuesText(v.load.over)}`,
    });
    target.origin = v.name;
    v.overflowTo = target.name;
  }

  // 4. global.min_regions: the cheapest regions without nodes get their first ones.
  while (t.active < g.min_regions) {
    const target = cheap.find((o) => o.planned === 0 && o.spec.max_nodes >= 1 && mayReceive(o, t));
    if (target === undefined) break;
    const want = Math.min(Math.max(1, target.spec.min_nodes), target.spec.max_nodes);
    const n = Math.min(want, t.room);
    if (n <= 0) {
      target.hold = globalMaxHold(target, t);
      break;
    }
    t.grow(target, n, {
      cause: 'global_min_regions',
      reason: `global min_regions ${g.min_regions} not met: ${t.active} region${t.active === 1 ? '' : 's'} with nodes; ${target.name} is the cheapest region without (cost ${num(target.spec.cost)})`,
      short: `global min_regions=${g.min_regions}`,
    });
  }

  // 5. global.min_nodes: fill the cheapest regions first, each up to its max_nodes.
  for (const target of cheap) {
    const deficit = g.min_nodes - t.total;
    if (deficit <= 0) break;
    if (!mayReceive(target, t)) continue;
    const n = Math.min(deficit, target.spec.max_nodes - target.planned, t.room);
    if (n <= 0) continue;
    t.grow(target, n, {
      cause: 'global_min_nodes',
      reason: `global min_nodes ${g.min_nodes} not met: ${t.total} nodes; ${target.name} is the cheapest region with headroom (cost ${num(target.spec.cost)})`,
      short: `global min_nodes=${g.min_nodes}`,
    });
  }

  // 6. Scale-ins, the most expensive region first, never below the global minimums.
  for (const v of dear) {
    const want = v.desireIn;
    if (want === null || v.count === null || v.planned !== v.count) continue;
    const wanted = v.planned - want.to;
    let n = Math.min(wanted, t.total - g.min_nodes);
    let bound = `global min_nodes ${g.min_nodes}`;
    if (v.planned - n <= 0 && t.active - 1 < g.min_regions) {
      n = Math.min(n, v.planned - 1);
      bound = `global min_regions ${g.min_regions}`;
    }
    if (n <= 0) {
      const code = bound.startsWith('global min_regions') ? 'global_min_regions' : 'global_min_nodes';
      const key = code === 'global_min_regions' ? `global_min_regions:${g.min_regions}` : `global_min_nodes:${g.min_nodes}`;
      v.hold = hold(code, 'scale_in', key, `${v.name} scale-in held: ${bound} (${t.total} nodes in ${t.active} region${t.active === 1 ? '' : 's'}; ${want.cause.reason})`);
      continue;
    }
    t.shrink(v, n, { ...want.cause, reason: want.cause.reason + limitedNote(n, wanted, bound) });
  }

  // 7. Over global.max_nodes already (the policy was lowered): the most expensive region shrinks
  // first, down to its own min_nodes; a region without fresh metrics is never scaled in.
  for (const v of dear) {
    const excess = t.total - g.max_nodes;
    if (excess <= 0) break;
    if (v.freeze !== null || v.count === null || v.planned > v.count || v.planned <= v.spec.min_nodes) continue;
    if (v.metrics === null) {
      if (v.hold === null || v.hold.code !== 'no_fresh_metrics') {
        v.hold = hold('no_fresh_metrics', 'scale_in', 'no_fresh_metrics', `${v.name} scale-in held: no fresh metrics (global max_nodes ${g.max_nodes} passed: ${t.total} nodes)`);
      }
      continue;
    }
    let n = Math.min(excess, v.planned - v.spec.min_nodes);
    if (v.planned - n <= 0 && t.active - 1 < g.min_regions) n = Math.min(n, v.planned - 1);
    if (n <= 0) continue;
    t.shrink(v, n, {
      cause: 'global_max_nodes',
      reason: `global max_nodes ${g.max_nodes} passed: ${t.total} nodes; ${v.name} is the most expensive region (cost ${num(v.spec.cost)})`,
      short: `global max_nodes=${g.max_nodes}`,
    });
  }
}
