# The node pool of one plane region on AWS. The stack in infra/stacks/aws/ passes the values of
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
  description = "EC2 instance type of every node, e.g. t3.medium."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must look like t3.medium."
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
  description = "AMI of the nodes. Null: the newest official Debian 12 AMI for the architecture."
  type        = string
  default     = null
}

variable "architecture" {
  description = "CPU architecture for the default AMI lookup: x86_64 or arm64 (must match instance_type)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "subnet_ids" {
  description = "Subnets the nodes are spread over (round robin by index). Empty: the default VPC's default subnets."
  type        = list(string)
  default     = []
}

variable "assign_public_ip" {
  description = "Give each node a public IPv4 address (the address it registers and DNS serves)."
  type        = bool
  default     = true
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
  description = "EC2 key pair for SSH (null: none)."
  type        = string
  default     = null
}

variable "root_volume_gb" {
  description = "Size of each node's root volume (gp3, encrypted)."
  type        = number
  default     = 20

  validation {
    condition     = var.root_volume_gb >= 8
    error_message = "root_volume_gb must be at least 8."
  }
}

variable "bootstrap_token_ssm_parameter" {
  description = "Name of the SSM SecureString parameter holding the nodes' bearer token for plane-api. Each node reads it at boot with its instance role; the token never passes through Terraform. Null: /plane/<service>/node-token."
  type        = string
  default     = null

  validation {
    condition     = var.bootstrap_token_ssm_parameter == null || can(regex("^/[A-Za-z0-9_.\\-/]+$", var.bootstrap_token_ssm_parameter))
    error_message = "bootstrap_token_ssm_parameter must be a fully qualified parameter name starting with '/'."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
