// The service of one simulated VM: a tiny HTTP server on the VM's own loopback address that
// answers /healthz with 200 (what the gtm health check probes) and / with who it is.
// usage: node vm-service.js IP PORT NODE_ID
import { createServer } from 'node:http';

const [ip, portText, nodeId] = process.argv.slice(2);
const port = Number(portText);
if (!ip || !Number.isInteger(port) || port <= 0 || !nodeId) {
  process.stderr.write('usage: vm-service IP PORT NODE_ID\n');
  process.exit(2);
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`ok ${nodeId}\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ service: 'svc-plus', node_id: nodeId, ip }) + '\n');
});
server.listen(port, ip, () => process.stdout.write(`${nodeId}: serving on http://${ip}:${port}\n`));
server.on('error', (err) => {
  process.stderr.write(`${nodeId}: ${err.message}\n`);
  process.exit(1);
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    server.close();
    process.exit(0);
  });
}
