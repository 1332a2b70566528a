// Declarations used by the gitops-sync tests (valid per DECLARATIONS.md unless named bad*).

export function gtm(service: string, domain: string, regions: [string, number][], ttl = 30): string {
  return `version: 1
service: ${service}
dns:
  provider: powerdns
  zone: svc.plus
  ttl: ${ttl}
  api_url: http://127.0.0.1:8081
  credentials: { env: PDNS_API_KEY }
health:
  type: http
  path: /healthz
  interval: 5s
  timeout: 2s
domains:
  - name: ${domain}
    failover: weighted
    regions:
${regions.map(([name, weight]) => `      - name: ${name}\n        weight: ${weight}\n        min_ready_nodes: 1`).join('\n')}
`;
}

export function region(name: string, provider = 'aws'): string {
  return `version: 1
name: ${name}
provider: ${provider}
instance_type: t3.medium
node_mode: containerd-only
labels: { cpu: x86 }
`;
}

export function autoscale(service: string, regions: [string, number, number][]): string {
  return `version: 1
service: ${service}
window: 5m
cooldown: 5m
regions:
${regions.map(([name, min, max]) => `  ${name}:\n    min_nodes: ${min}\n    max_nodes: ${max}\n    scale_up_cpu: 0.7\n    scale_down_cpu: 0.3`).join('\n')}
`;
}

export const BASE: Record<string, string> = {
  'platform-config/regions/jp.yaml': region('jp'),
  'platform-config/regions/sg.yaml': region('sg', 'alicloud'),
  'platform-config/gtm/svc-plus.yaml': gtm('svc-plus', 'api.svc.plus', [['jp', 100], ['sg', 10]]),
  'platform-config/autoscale/svc-plus.yaml': autoscale('svc-plus', [['jp', 1, 5], ['sg', 1, 3]]),
  'README.md': '# platform config\n',
};
