import { describe, expect, it } from 'vitest';
import { envelope, type NodeStreamEvent } from '@plane/events';
import { addSample, averages, evolveNode, newNodeRecord, trimWindow, type MetricSample } from '@plane/health';

const ref = { service: 'svc', region: 'jp', node_id: 'n1' };

function heartbeat(seq: number, m: Partial<MetricSample>): NodeStreamEvent {
  return envelope('NodeHeartbeat', `hb:${seq}`, { ...ref, seq, boot: 1, cpu: 0.5, ram: 0.5, qps: 100, rtt_ms: 20, error_rate: 0, exporter_ok: true, via: 'nats', ...m }, 'test') as NodeStreamEvent;
}

describe('metric window', () => {
  it('keeps the means of exactly the heartbeats inside the window, however long it runs', () => {
    const rec = newNodeRecord(ref, 0);
    const values: MetricSample[] = [];
    // 2,000 heartbeats, 1 s apart, in a 30 s window: the running sums add and remove 1,970.
    for (let i = 1; i <= 2000; i++) {
      const s = { at: i * 1000, cpu: ((i * 37) % 100) / 100, ram: ((i * 11) % 97) / 97, qps: (i * 7) % 1000, rtt_ms: 10 + ((i * 13) % 50) / 3, error_rate: ((i * 3) % 10) / 1000 };
      values.push(s);
      evolveNode(rec, heartbeat(i, s), i, s.at, 30_000);
    }
    const inWindow = values.filter((s) => s.at >= 2000 * 1000 - 30_000);
    expect(rec.samples).toHaveLength(inWindow.length);
    expect(rec.health.metrics).toEqual(averages(inWindow));
    const mean = inWindow.reduce((a, s) => a + s.cpu, 0) / inWindow.length;
    expect(rec.health.metrics!.cpu).toBeCloseTo(mean, 4);
    expect(rec.health.metrics!.samples).toBe(31);
  });

  it('gives a node rebuilt from its samples the same means as the one that followed them live', () => {
    const live = newNodeRecord(ref, 0);
    for (let i = 1; i <= 500; i++) evolveNode(live, heartbeat(i, { cpu: (i % 9) / 10 + 0.013, qps: i * 1.37 }), i, i * 5000, 60_000);
    // A restart: averages come from the bucket, the samples are re-read from the stream.
    const rebuilt = newNodeRecord(ref, 0);
    rebuilt.health.metrics = structuredClone(live.health.metrics);
    for (const s of live.samples) addSample(rebuilt, { ...s });
    trimWindow(rebuilt, 500 * 5000, 60_000);
    expect(rebuilt.health.metrics).toEqual(live.health.metrics);
  });

  it('has no means once every sample has left the window, and starts afresh after', () => {
    const rec = newNodeRecord(ref, 0);
    evolveNode(rec, heartbeat(1, { cpu: 0.9 }), 1, 1000, 10_000);
    expect(rec.health.metrics?.cpu).toBe(0.9);
    trimWindow(rec, 60_000, 10_000);
    expect(rec.health.metrics).toBeNull();
    evolveNode(rec, heartbeat(2, { cpu: 0.2 }), 2, 61_000, 10_000);
    expect(rec.health.metrics).toEqual({ cpu: 0.2, ram: 0.5, qps: 100, rtt_ms: 20, error_rate: 0, samples: 1 });
  });

  it('leaves a heartbeat without metrics (exporter error) out of the means', () => {
    const rec = newNodeRecord(ref, 0);
    evolveNode(rec, heartbeat(1, { cpu: 0.4 }), 1, 1000, 30_000);
    evolveNode(rec, envelope('NodeHeartbeat', 'hb:2', { ...ref, seq: 2, boot: 1, cpu: 0, ram: 0, qps: 0, rtt_ms: 0, error_rate: 0, exporter_ok: false, exporter_error: 'connection refused', via: 'nats' }, 'test') as NodeStreamEvent, 2, 2000, 30_000);
    expect(rec.health.metrics).toMatchObject({ cpu: 0.4, samples: 1 });
    expect(rec.health.exporter_ok).toBe(false);
  });
});
