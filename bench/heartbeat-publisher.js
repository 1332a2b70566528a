// A worker thread that plays the simulated nodes: its own NATS connection, plain publishes of
// pre-encoded heartbeats (with Nats-Msg-Id), like many node agents would send them.
import { parentPort, workerData } from 'node:worker_threads';
import { connect, headers } from '@nats-io/transport-node';
import { encodeEvent, envelope, nodeSubject } from '@plane/events';

const nc = await connect({ servers: workerData.url, name: 'bench-nodes' });

function messages(n, beats, boot) {
  const out = [];
  for (let b = 1; b <= beats; b++) {
    for (let i = 0; i < n; i++) {
      const ref = { service: 'svc', region: `r${i % 10}`, node_id: `n-${i}` };
      const id = `hb:svc.${ref.region}.${ref.node_id}:${boot}:${b}`;
      const e = envelope('NodeHeartbeat', id, { ...ref, seq: b, boot, cpu: 0.42, ram: 0.37, qps: 120, rtt_ms: 18, error_rate: 0.001, exporter_ok: true, via: 'nats' }, 'bench');
      const h = headers();
      h.set('Nats-Msg-Id', id);
      out.push({ subject: nodeSubject(ref, 'heartbeat'), data: encodeEvent(e), headers: h });
    }
  }
  return out;
}

const batches = new Map();
parentPort.on('message', async (msg) => {
  if (msg.op === 'prepare') {
    batches.set(msg.name, messages(msg.nodes, msg.beats, msg.boot));
    parentPort.postMessage({ op: 'prepared', name: msg.name, count: batches.get(msg.name).length });
  } else if (msg.op === 'publish') {
    const list = batches.get(msg.name);
    const t = performance.now();
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      nc.publish(m.subject, m.data, { headers: m.headers });
      if (i % 10_000 === 9_999) await nc.flush();
    }
    await nc.flush();
    parentPort.postMessage({ op: 'published', name: msg.name, ms: performance.now() - t });
  } else if (msg.op === 'close') {
    await nc.drain();
    parentPort.postMessage({ op: 'closed' });
  }
});
parentPort.postMessage({ op: 'ready' });
