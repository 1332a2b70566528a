# The node pool of one plane region on Alibaba Cloud (ECS). The stack in infra/stacks/alicloud/ passes the values of
# infra/node-pool/<region>.tfvars through unchanged.

variable "region" {
  description = "The plane region this pool serves (the name in platform-config/regions/, e.g. jp). Nodes are named <region>-<index>, which is also their node-agent node id."
  type        = string

  validation {
    # A node id is [a-z0-9-], 1..63 characters: leave room for "-<index>".
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,54}[a-z0-9])?$", var.region))
    error_message = "region must be lowercase letters, digits and '-', at most 56 characters, not starting or ending with '-'."
  }
}

variable "node_count" {
  description = "How many VMs the pool has. The autoscaler rewrites this number; lowering it removes the highest indexes first."
  type        = number

  validation {
    condition     = var.node_count >= 0 && floor(var.node_count) == var.node_count
    error_message = "node_count must be a whole number >= 0."
  }
}

variable "node_mode" {
  description = "How a node runs its service: containerd-only, k3s-worker or k3s-master (platform-config/regions/<region>.yaml). This module builds containerd-only nodes."
  type        = string
  default     = "containerd-only"

  validation {
    condition     = contains(["containerd-only", "k3s-worker", "k3s-master"], var.node_mode)
    error_message = "node_mode must be containerd-only, k3s-worker or k3s-master."
  }
}

variable "instance_type" {
  description = "ECS instance type of every node, e.g. ecs.c6.large."
  type        = string

  validation {
    condition     = can(regex("^ecs\\.[a-z0-9-]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must look like ecs.c6.large."
  }
}

variable "labels" {
  description = "Labels sent with each node's registration (storage/CPU/GPU class)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[A-Za-z0-9_.-]+$", k)) && can(regex("^[A-Za-z0-9_.:/-]*$", v))])
    error_message = "labels keys must be [A-Za-z0-9_.-] and values [A-Za-z0-9_.:/-] (they travel as KEY=VALUE,... to the node-agent)."
  }
}

variable "service" {
  description = "The service these nodes run ([a-z0-9-]); the node-agent registers under it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.service))
    error_message = "service must be lowercase letters, digits and '-'."
  }
}

variable "service_image" {
  description = "The service's container image, fully qualified for containerd (registry/name:tag or @digest)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$", var.service_image))
    error_message = "service_image must be fully qualified, e.g. ghcr.io/acme/svc-plus:1.4.2 (containerd does not assume docker.io)."
  }
}

variable "service_port" {
  description = "The port the service container listens on (host network); nginx proxies port 80 to it."
  type        = number
  default     = 8080

  validation {
    condition     = var.service_port >= 1 && var.service_port <= 65535 && var.service_port != 80 && floor(var.service_port) == var.service_port
    error_message = "service_port must be a port number other than 80 (nginx has 80)."
  }
}

variable "api_url" {
  description = "plane-api's base URL; nodes register there (POST /nodes/register)."
  type        = string

  validation {
    condition     = can(regex("^https?://[^\\s\"'$`\\\\]+$", var.api_url))
    error_message = "api_url must be an http:// or https:// URL without spaces or quotes."
  }
}

variable "nats_url" {
  description = "NATS URL for the heartbeats (empty: heartbeats go to plane-api over HTTP)."
  type        = string
  default     = ""

  validation {
    condition     = var.nats_url == "" || can(regex("^(nats|tls)://[^\\s\"'$`\\\\]+$", var.nats_url))
    error_message = "nats_url must be empty or a nats:// or tls:// URL."
  }
}

variable "node_agent_release_url" {
  description = "URL of the node-agent release: a .tar.gz with one top-level directory holding bin/node-agent.js and its production node_modules."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s\"'$`\\\\]+$", var.node_agent_release_url))
    error_message = "node_agent_release_url must be an https:// URL."
  }
}

variable "node_agent_sha256" {
  description = "SHA-256 of the node-agent release (hex). Empty skips the check (not recommended)."
  type        = string
  default     = ""

  validation {
    condition     = var.node_agent_sha256 == "" || can(regex("^[a-f0-9]{64}$", var.node_agent_sha256))
    error_message = "node_agent_sha256 must be 64 lowercase hex digits or empty."
  }
}

variable "nodejs_major" {
  description = "Node.js major version installed for the node-agent (NodeSource apt repository)."
  type        = number
  default     = 24

  validation {
    condition     = var.nodejs_major >= 24
    error_message = "The node-agent needs Node.js 24 or newer."
  }
}

variable "image_id" {
  description = "ECS image of the nodes. Null: the newest Debian 12 system image for the architecture."
  type        = string
  default     = null
}

variable "architecture" {
  description = "CPU architecture for the default image lookup: x86_64 or arm64 (must match instance_type)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "vswitch_ids" {
  description = "vSwitches the nodes are spread over (round robin by index); all in one VPC."
  type        = list(string)

  validation {
    condition     = length(var.vswitch_ids) > 0 && alltrue([for id in var.vswitch_ids : can(regex("^vsw-[a-z0-9]+$", id))])
    error_message = "vswitch_ids must list at least one vSwitch id (vsw-...)."
  }
}

variable "internet_max_bandwidth_out" {
  description = "Public bandwidth per node in Mbit/s (pay by traffic). 0: no public IPv4 address."
  type        = number
  default     = 10

  validation {
    condition     = var.internet_max_bandwidth_out >= 0 && var.internet_max_bandwidth_out <= 100
    error_message = "internet_max_bandwidth_out must be 0..100."
  }
}

variable "ingress_cidrs" {
  description = "Who may reach nginx on port 80."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "metrics_cidrs" {
  description = "Who may scrape the node exporter on port 9100."
  type        = list(string)
  default     = []
}

variable "ssh_cidrs" {
  description = "Who may reach port 22. Empty: no SSH ingress."
  type        = list(string)
  default     = []
}

variable "ssh_key_name" {
  description = "ECS key pair for SSH (null: none)."
  type        = string
  default     = null
}

variable "system_disk_category" {
  description = "System disk category, e.g. cloud_essd."
  type        = string
  default     = "cloud_essd"
}

variable "system_disk_gb" {
  description = "System disk size per node, GiB (20..500)."
  type        = number
  default     = 40

  validation {
    condition     = var.system_disk_gb >= 20 && var.system_disk_gb <= 500
    error_message = "system_disk_gb must be 20..500."
  }
}

variable "bootstrap_token" {
  description = "The nodes' bearer token for plane-api, written to /etc/plane/node-token (root only) through the ECS user data. Comes from a secrets manager (the stack reads KMS Secrets Manager) or TF_VAR_bootstrap_token in CI; never from a file in the repository."
  type        = string
  sensitive   = true

  validation {
    condition     = var.bootstrap_token != null && try(length(var.bootstrap_token) >= 16, false)
    error_message = "The nodes' token is missing or shorter than 16 characters: name a KMS secret (bootstrap_token_kms_secret) or set TF_VAR_bootstrap_token."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
