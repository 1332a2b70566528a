import { describe, expect, it } from 'vitest';
import { nextSlotAfter, scheduleOffset } from '../src/schedule.js';

describe('schedule', () => {
  it('gives each target a stable offset inside the interval', () => {
    const a = scheduleOffset('svc.jp.jp-1/10.0.0.1', 5000);
    expect(scheduleOffset('svc.jp.jp-1/10.0.0.1', 5000)).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(5000);
    expect(scheduleOffset('svc.jp.jp-2/10.0.0.2', 5000)).not.toBe(a);
  });

  it('spreads many targets over the whole interval, not into one burst', () => {
    const interval = 1000;
    const offsets = Array.from({ length: 1000 }, (_, i) => scheduleOffset(`svc.jp.n-${i}/10.0.${i >> 8}.${i & 255}`, interval));
    const buckets = new Array<number>(10).fill(0);
    for (const o of offsets) buckets[Math.floor(o / 100)]!++;
    // 100 expected per tenth of the interval; a hash spreads them within a loose band.
    for (const n of buckets) {
      expect(n).toBeGreaterThan(60);
      expect(n).toBeLessThan(140);
    }
  });

  it('places slots at k * interval + offset, strictly after the given time', () => {
    expect(nextSlotAfter(10_000, 1000, 250)).toBe(10_250);
    expect(nextSlotAfter(10_250, 1000, 250)).toBe(11_250);
    expect(nextSlotAfter(10_249, 1000, 250)).toBe(10_250);
    expect(nextSlotAfter(10_999, 1000, 0)).toBe(11_000);
    const t = 1_764_000_000_123;
    const s = nextSlotAfter(t, 5000, 1234);
    expect(s).toBeGreaterThan(t);
    expect(s - t).toBeLessThanOrEqual(5000);
    expect((s - 1234) % 5000).toBe(0);
  });
});
