# Node pool of region sg (platform-config/regions/sg.yaml), on Alibaba Cloud.
# Applied by CI (.github/workflows/infra.yml) with:
#   terraform -chdir=infra/stacks/alicloud plan -var-file=../../node-pool/sg.tfvars
# No secrets here: the nodes' plane-api token is read from KMS Secrets Manager
# (bootstrap_token_kms_secret) or given as TF_VAR_bootstrap_token by CI.

# The stack CI uses (infra/stacks/<cloud>), and where the VMs run.
cloud    = "alicloud"
region   = "sg"
location = "ap-southeast-1"

# How many VMs (sg-0, sg-1, ...). The autoscaler rewrites only this number, on this line;
# lowering it removes the highest indexes first.
node_count = 1

# As declared in platform-config/regions/sg.yaml.
instance_type = "ecs.c6.large"
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

# Network: the vSwitches of the pool's VPC (replace with your own), port 80 open, no SSH.
vswitch_ids                = ["vsw-t4nplaneexample0sg0"]
internet_max_bandwidth_out = 10
ingress_cidrs              = ["0.0.0.0/0"]
metrics_cidrs              = []

# KMS Secrets Manager secret holding the nodes' plane-api bearer token.
bootstrap_token_kms_secret = "plane/svc-plus/node-token"
