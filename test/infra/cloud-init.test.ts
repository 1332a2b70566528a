// The first boot of a node: infra/cloud-init/node.yaml.tftpl, read as it is: the packages, the
// files it writes, the node-agent unit and the nginx log format the agent reads.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { read, ROOT, TEMPLATE } from './helpers.js';

interface WriteFile {
  path: string;
  content?: string;
  permissions?: string;
  owner?: string;
  encoding?: string;
  defer?: boolean;
}
interface CloudConfig {
  hostname: string;
  packages: string[];
  write_files: WriteFile[];
  runcmd: (string | string[])[];
}

const raw = read(TEMPLATE);
// $${...} is a literal ${...} for systemd and the shell; everything else is plain YAML already.
const config = parseYaml(raw) as CloudConfig;
const file = (path: string): WriteFile => {
  const found = config.write_files.find((f) => f.path === path);
  expect(found, `write_files has ${path}`).toBeDefined();
  return found!;
};
const unescape = (text: string) => text.replace(/\$\$\{/g, '${');

const AGENT_UNIT = '/etc/systemd/system/plane-node-agent.service';
const SERVICE_UNIT = '/etc/systemd/system/plane-service.service';
const NGINX_CONF = '/etc/nginx/conf.d/plane.conf';
const AGENT_ENV = '/etc/plane/node-agent.env';

/** `ExecStart=` of a unit, continuation lines joined. */
function execStart(unit: string): string {
  const m = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit);
  expect(m, 'ExecStart').not.toBeNull();
  return m![1]!.replace(/\\\n\s*/g, ' ');
}

/** The log_format named by the access_log line of the server, and the log's path. */
function accessLog(nginx: string): { path: string; format: string } {
  const access = /^\s*access_log\s+(\S+)\s+(\S+);/m.exec(nginx);
  expect(access, 'access_log PATH FORMAT;').not.toBeNull();
  const format = new RegExp(`log_format\\s+${access![2]}\\s+'([^']*)';`).exec(nginx);
  expect(format, `log_format ${access![2]}`).not.toBeNull();
  return { path: access![1]!, format: format![1]! };
}

describe('the cloud-init template', () => {
  it('is a #cloud-config document', () => {
    expect(raw.split('\n')[0]).toBe('#cloud-config');
    expect(config.hostname).toBe('${node_id}');
  });

  it('installs containerd, the node exporter, nginx, Node.js 24 and the node-agent', () => {
    expect(config.packages).toEqual(expect.arrayContaining(['containerd', 'nginx', 'prometheus-node-exporter']));
    const commands = config.runcmd.map((c) => (Array.isArray(c) ? c.join(' ') : c));
    expect(commands).toContain('/usr/local/lib/plane/install-nodejs ${jsonencode(nodejs_major)}');
    expect(commands).toContain(
      '/usr/local/lib/plane/install-node-agent ${jsonencode(node_agent_release_url)} ${jsonencode(node_agent_sha256)}',
    );
    expect(unescape(file('/usr/local/lib/plane/install-nodejs').content!)).toMatch(/deb\.nodesource\.com\/node_\$major\.x/);
    expect(file('/usr/local/lib/plane/install-node-agent').content).toMatch(/sha256sum -c/);
  });

  it('runs the service container with containerd (ctr)', () => {
    const unit = unescape(file(SERVICE_UNIT).content!);
    expect(unit).toMatch(/^ExecStartPre=-\/usr\/bin\/ctr --namespace plane images pull \$\{SERVICE_IMAGE\}$/m);
    expect(execStart(unit)).toMatch(/^\/usr\/bin\/ctr --namespace plane run --rm --net-host .*\$\{SERVICE_IMAGE\} \$\{SERVICE_NAME\}$/);
    expect(file('/etc/plane/service.env').content).toMatch(/^SERVICE_IMAGE=\$\{service_image\}$/m);
    expect(config.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'plane-service.service']);
  });

  it('puts nginx in front with a log format ending in "$request_time $status", the log the agent reads', () => {
    const nginx = file(NGINX_CONF);
    expect(nginx.defer, 'written after nginx is installed').toBe(true);
    const log = accessLog(nginx.content!);
    expect(log.format).toMatch(/\$request_time \$status$/);
    expect(execStart(unescape(file(AGENT_UNIT).content!))).toContain(`--nginx-access-log ${log.path}`);
    expect(nginx.content).toMatch(/server 127\.0\.0\.1:\$\{service_port\};/);
  });

  it("uses the node-agent's own documented format, where the agent documents one", () => {
    const agentNginx = join(ROOT, 'apps', 'node-agent', 'src', 'nginx.ts');
    if (!existsSync(agentNginx)) return;
    // The agent keeps it in a TypeScript string literal: \" there is " here.
    const documented = /log_format plane '([^']*)'/.exec(read(agentNginx).replace(/\\"/g, '"'));
    if (!documented) return;
    expect(accessLog(file(NGINX_CONF).content!).format).toBe(documented[1]);
  });

  it('writes the bootstrap token to a root-only file', () => {
    const token = file('/etc/plane/node-token');
    expect(token.permissions).toBe('0600');
    expect(token.owner).toBe('root:root');
    expect(token.encoding).toBe('b64');
    expect(token.content).toBe('${bootstrap_token_b64}');
    expect(file('/usr/local/lib/plane/fetch-node-token').content).toMatch(/umask 077/);
  });

  it('starts the node-agent as a systemd unit with --api-url, --token-file, --service, --region and --node-id', () => {
    const unit = unescape(file(AGENT_UNIT).content!);
    const cmd = execStart(unit);
    expect(cmd).toMatch(/^\/usr\/bin\/node \/opt\/plane\/node-agent\/bin\/node-agent\.js /);
    expect(cmd).toContain('--api-url ${PLANE_API_URL}');
    expect(cmd).toContain('--token-file %d/node-token');
    expect(cmd).toContain('--service ${PLANE_SERVICE}');
    expect(cmd).toContain('--region ${PLANE_REGION}');
    expect(cmd).toContain('--node-id ${PLANE_NODE_ID}');
    expect(unit).toContain('LoadCredential=node-token:/etc/plane/node-token');
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/plane\/node-agent\.env$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    expect(config.runcmd.at(-1)).toEqual(['systemctl', 'enable', '--now', 'plane-node-agent.service']);
  });

  it('takes the node id, region, service and plane-api URL from Terraform', () => {
    const env = file(AGENT_ENV).content!;
    expect(env).toMatch(/^PLANE_NODE_ID=\$\{node_id\}$/m);
    expect(env).toMatch(/^PLANE_REGION=\$\{region\}$/m);
    expect(env).toMatch(/^PLANE_SERVICE=\$\{service\}$/m);
    expect(env).toMatch(/^PLANE_API_URL=\$\{api_url\}$/m);
  });

  it('leaves systemd variables to systemd (every ${...} in a unit is escaped)', () => {
    for (const path of [AGENT_UNIT, SERVICE_UNIT]) {
      const content = file(path).content!;
      expect(content.match(/(?<!\$)\$\{/g), `${path} has no Terraform interpolation`).toBeNull();
    }
  });
});
