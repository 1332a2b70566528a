// The alert recorded for a domain whose zone could not be determined.
import { describe, expect, it } from 'vitest';
import { validateEvent } from '@plane/events';
import { evolveDomain, initialDomainState, zoneAlertId, zoneNotFoundAlert } from '../src/index.js';

describe('zone_not_found alert', () => {
  const base = { service: 'svc-plus', domain: 'api.eu.svc.plus', message: 'no zone for api.eu.svc.plus: ...', problem: 'not_found powerdns: example.com', now: 1_700_000_000_000, source: 'test' };

  it('is a valid GtmAlert without a decision, and changes no decider state', () => {
    const state = initialDomainState();
    const e = zoneNotFoundAlert({ ...base, state });
    expect(validateEvent(e)).toEqual([]);
    expect(e.data).toMatchObject({ kind: 'zone_not_found', domain: 'api.eu.svc.plus', decision_id: null, clock: base.now });
    expect(e.data.message).toMatch(/DNS is left as it is/);
    expect(evolveDomain(state, e)).toBe(state);
  });

  it('has an id fixed by the problem and the decisions so far (one event for one problem, a new one after a decision)', () => {
    const state = initialDomainState();
    const a = zoneNotFoundAlert({ ...base, state, message: 'request A' });
    const b = zoneNotFoundAlert({ ...base, state, message: 'request B', now: base.now + 5000 });
    expect(a.id).toBe(b.id);
    expect(a.id).toBe(zoneAlertId('api.eu.svc.plus', state, base.problem));
    expect(a.id).toMatch(/^gtm:api\.eu\.svc\.plus:0:zone_not_found:[0-9a-f]{16}$/);
    expect(zoneNotFoundAlert({ ...base, state, problem: 'listing failed 503' }).id).not.toBe(a.id);
    expect(zoneNotFoundAlert({ ...base, state: { ...state, decisions: 3 } }).id).not.toBe(a.id);
  });
});
