import { declarationsOf, type DesiredSnapshot } from '@plane/backbone';
import type { GtmSpec } from '@plane/declarations';
import { DEFAULT_HEALTH, type HealthSettings } from '@plane/health';

/** Health settings per service, from its gtm declaration (defaults for a service without one). */
export function healthSettingsOf(snapshot: DesiredSnapshot): Map<string, HealthSettings> {
  const out = new Map<string, HealthSettings>();
  for (const [service, d] of declarationsOf<GtmSpec>(snapshot, 'gtm')) {
    const h = d.spec.health;
    out.set(service, {
      interval_ms: h.interval_ms,
      rise: h.rise,
      fall: h.fall,
      heartbeat_timeout_ms: h.heartbeat_timeout_ms,
      window_ms: h.window_ms,
      eject_error_rate_above: h.eject_error_rate_above,
      eject_rtt_ms_above: h.eject_rtt_ms_above,
    });
  }
  return out;
}

/**
 * The settings of the snapshot in force, computed once per snapshot: the health projection asks
 * for them on every message it folds.
 */
export function healthSettingsFollowing(current: () => DesiredSnapshot): () => Map<string, HealthSettings> {
  let seen: DesiredSnapshot | undefined;
  let settings = new Map<string, HealthSettings>();
  return () => {
    const snapshot = current();
    if (snapshot !== seen) {
      settings = healthSettingsOf(snapshot);
      seen = snapshot;
    }
    return settings;
  };
}

export { DEFAULT_HEALTH };
