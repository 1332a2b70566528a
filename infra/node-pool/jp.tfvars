# Node pool of region jp (platform-config/regions/jp.yaml), on AWS.
# Applied by CI (.github/workflows/infra.yml) with:
#   terraform -chdir=infra/stacks/aws plan -var-file=../../node-pool/jp.tfvars
# No secrets here: the nodes read their plane-api token from SSM (bootstrap_token_ssm_parameter).

# The stack CI uses (infra/stacks/<cloud>), and where the VMs run.
cloud    = "aws"
region   = "jp"
location = "ap-northeast-1"

# How many VMs (jp-0, jp-1, ...). The autoscaler rewrites only this number, on this line;
# lowering it removes the highest indexes first.
node_count = 2

# As declared in platform-config/regions/jp.yaml.
instance_type = "t3.medium"
node_mode     = "containerd-only"
labels        = { cpu = "x86", storage = "ssd" }

# What each node runs and where it registers.
service                = "svc-plus"
service_image          = "ghcr.io/acme/svc-plus:1.0.0"
service_port           = 8080
api_url                = "https://plane-api.svc.plus"
nats_url               = "tls://nats.svc.plus:4222"
node_agent_release_url = "https://releases.svc.plus/node-agent/0.1.0/node-agent-0.1.0.tar.gz"
node_agent_sha256      = ""
nodejs_major           = 24

# Network: the default VPC's default subnets, port 80 open, no SSH.
subnet_ids    = []
ingress_cidrs = ["0.0.0.0/0"]
metrics_cidrs = []

# SecureString parameter holding the nodes' plane-api bearer token.
bootstrap_token_ssm_parameter = "/plane/svc-plus/node-token"
