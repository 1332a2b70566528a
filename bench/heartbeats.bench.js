// heartbeats.processed_per_s: heartbeats of N simulated nodes published with plain publish onto
// the NODES stream, consumed by the health projection, folded, and written to the `nodes` bucket
// (coalesced per node); measured until the bucket reflects the last one.
// heartbeats.raw_store_per_s: the same messages published the same way into the same stream on
// the same nats-server, with no consumer: the baseline. heartbeats.bytes_per_node: projection
// memory per tracked node. heartbeats.consumer_only_per_s: the same messages read by a consumer that
// only counts them: the ceiling any consumer reaches on the same machine (same run).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { connectPlane, ensureStream, deleteBucket, STREAMS } from '@plane/backbone';
import { createLogger } from '@plane/runtime';
import { startNatsServer } from '@plane/testkit';
import { HealthWorker } from '../apps/gtm-controller/dist/health/worker.js';

const SIZES = (process.env.BENCH_NODES ?? '1000,10000,100000').split(',').map(Number);
const BEATS = Number(process.env.BENCH_BEATS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const SETTINGS = { interval_ms: 5000, rise: 2, fall: 3, heartbeat_timeout_ms: 600_000, window_ms: 600_000, eject_error_rate_above: 0.5, eject_rtt_ms_above: 1000 };
const SETTINGS_MAP = new Map([['svc', SETTINGS]]);

/** The simulated nodes run in a worker thread with their own connection (as agents would). */
async function startPublisher(url) {
  const worker = new Worker(new URL('./heartbeat-publisher.js', import.meta.url), { workerData: { url } });
  const waiting = [];
  worker.on('message', (m) => {
    const i = waiting.findIndex((w) => w.op === m.op && (w.name === undefined || w.name === m.name));
    if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
  });
  const expect = (op, name) => new Promise((resolve) => waiting.push({ op, name, resolve }));
  await expect('ready');
  return {
    prepare: (name, nodes, beats, boot) => {
      const p = expect('prepared', name);
      worker.postMessage({ op: 'prepare', name, nodes, beats, boot });
      return p;
    },
    publish: (name) => {
      const p = expect('published', name);
      worker.postMessage({ op: 'publish', name });
      return p;
    },
    close: async () => {
      const p = expect('closed');
      worker.postMessage({ op: 'close' });
      await p;
      await worker.terminate();
    },
  };
}

async function untilStored(jsm, count, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.streams.info(STREAMS.nodes.name);
    if (info.state.messages >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${info.state.messages} of ${count} stored`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An ordered push consumer that counts deliveries and nothing else. */
async function countingConsumer(plane, count) {
  const consumer = await plane.js.consumers.getPushConsumer(STREAMS.nodes.name, { filter_subjects: 'node.>' });
  let seen = 0;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  const messages = await consumer.consume({
    callback: (m) => {
      if (m.info.streamSequence > 0 && ++seen === count) resolve();
    },
  });
  return { done, stop: () => messages.stop() };
}

async function freshStream(plane) {
  await plane.jsm.streams.delete(STREAMS.nodes.name).catch(() => undefined);
  await deleteBucket(plane.jsm, 'nodes');
  await ensureStream(plane.jsm, STREAMS.nodes);
}

/** CPU time (user + system, ms) the nats-server process has used so far; undefined where /proc is not there. */
function serverCpuMs(server) {
  try {
    const fields = readFileSync(`/proc/${server.pid()}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** Server CPU per message (µs) since `from`. */
function serverCpuPerMsg(server, from, count) {
  const now = serverCpuMs(server);
  return now === undefined || from === undefined ? undefined : ((now - from) * 1000) / count;
}

function heapUsed() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

export async function run() {
  const server = await startNatsServer();
  const plane = await connectPlane({ url: server.url, name: 'bench' });
  const log = createLogger('bench', 'silent');
  const results = [];
  try {
    for (const n of SIZES) {
      const publisher = await startPublisher(server.url);
      const warm = await publisher.prepare(`warm-${n}`, n, 1, 1);
      const timed = await publisher.prepare(`timed-${n}`, n, BEATS, 2);
      const raws = [];
      const processed = [];
      const bares = [];
      const cpu = { raw: [], bare: [], processed: [] };
      let bytesPerNode = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Baseline: plain publish, no consumer, until every message is stored.
        await freshStream(plane);
        let t = performance.now();
        let c = serverCpuMs(server);
        await publisher.publish(timed.name);
        await untilStored(plane.jsm, timed.count);
        raws.push(timed.count / ((performance.now() - t) / 1000));
        cpu.raw.push(serverCpuPerMsg(server, c, timed.count));

        // Ceiling: a consumer that only counts the messages (no decoding, no fold, no writes);
        // what any JetStream consumer in this process costs the same machine.
        await freshStream(plane);
        const counter = await countingConsumer(plane, timed.count);
        t = performance.now();
        c = serverCpuMs(server);
        await publisher.publish(timed.name);
        await counter.done;
        bares.push(timed.count / ((performance.now() - t) / 1000));
        cpu.bare.push(serverCpuPerMsg(server, c, timed.count));
        counter.stop();

        // Processed: the health projection follows the stream and writes the bucket.
        await freshStream(plane);
        const before = heapUsed();
        const worker = new HealthWorker({ plane, log, settings: () => SETTINGS_MAP, source: 'bench', flushMs: 1000, decide: false });
        await worker.start();
        await publisher.publish(warm.name);
        await untilStored(plane.jsm, warm.count);
        await worker.waitFor(warm.count);
        await worker.flush(true);
        if (round === 0) bytesPerNode = (heapUsed() - before) / n;
        t = performance.now();
        c = serverCpuMs(server);
        await publisher.publish(timed.name);
        const tPub = performance.now();
        await worker.waitFor(warm.count + timed.count);
        const tFold = performance.now();
        await worker.flush(true);
        processed.push(timed.count / ((performance.now() - t) / 1000));
        cpu.processed.push(serverCpuPerMsg(server, c, timed.count));
        if (process.env.BENCH_DEBUG) process.stderr.write(`${n}: publish ${(tPub - t).toFixed(0)} ms, folded at ${(tFold - t).toFixed(0)} ms, flushed at ${(performance.now() - t).toFixed(0)} ms, writes ${worker.stats.writes}\n`);
        await worker.stop();
      }
      await publisher.close();
      const rawRate = median(raws);
      const processedRate = median(processed);
      const bareRate = median(bares);
      const label = n >= 1000 ? `${n / 1000}k` : String(n);
      results.push({ name: 'heartbeats.processed_per_s', value: processedRate, unit: 'msg/s', baseline: rawRate, ratio: processedRate / rawRate, note: `${label} nodes x ${BEATS} heartbeats, median of ${ROUNDS}`, nodes: n });
      results.push({ name: 'heartbeats.raw_store_per_s', value: rawRate, unit: 'msg/s', note: `${label} nodes, plain publish, no consumer, median of ${ROUNDS}`, nodes: n });
      results.push({ name: 'heartbeats.ratio', value: processedRate / rawRate, unit: 'ratio', note: `${label} nodes (target >= 0.5)`, nodes: n });
      results.push({ name: 'heartbeats.consumer_only_per_s', value: bareRate, unit: 'msg/s', baseline: rawRate, ratio: bareRate / rawRate, note: `${label} nodes, a consumer that only counts: the ceiling for any consumer here`, nodes: n });
      results.push({ name: 'heartbeats.processed_vs_consumer_only', value: processedRate / bareRate, unit: 'ratio', note: `${label} nodes: the projection's rate over that ceiling`, nodes: n });
      if (cpu.raw[0] !== undefined) {
        // Where the time goes: the server's own CPU per heartbeat in each run. Storing alone is the
        // baseline; a consumer reading while the messages are stored (a delivery per message) and
        // the projection's bucket writes add to it on the same server.
        results.push({ name: 'heartbeats.server_cpu_us_raw', value: median(cpu.raw), unit: 'µs/msg', note: `${label} nodes: nats-server CPU per heartbeat, storing only`, nodes: n });
        results.push({ name: 'heartbeats.server_cpu_us_consumer_only', value: median(cpu.bare), unit: 'µs/msg', note: `${label} nodes: the same, storing and delivering to a consumer that only counts`, nodes: n });
        results.push({ name: 'heartbeats.server_cpu_us_processed', value: median(cpu.processed), unit: 'µs/msg', note: `${label} nodes: the same, with the projection (delivery and its bucket writes)`, nodes: n });
      }
      results.push({ name: 'heartbeats.bytes_per_node', value: bytesPerNode, unit: 'bytes', note: `${label} nodes`, nodes: n });
    }
  } finally {
    await plane.close();
    await server.dispose();
  }
  return results;
}
