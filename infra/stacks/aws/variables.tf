# The keys of infra/node-pool/<region>.tfvars for pools on AWS. Most are handed to
# modules/node-pool-aws unchanged, which validates them in full.

variable "cloud" {
  description = "The pool's cloud, as `provider` in platform-config/regions/<region>.yaml. CI picks the stack (infra/stacks/<cloud>) from it."
  type        = string

  validation {
    condition     = var.cloud == "aws"
    error_message = "This stack builds aws pools; a pool with another cloud belongs to infra/stacks/<cloud>."
  }
}

variable "region" {
  description = "The plane region (platform-config/regions/<region>.yaml `name`); the pool file is infra/node-pool/<region>.tfvars and its nodes are <region>-<index>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,54}[a-z0-9])?$", var.region))
    error_message = "region must be lowercase letters, digits and '-', at most 56 characters."
  }
}

variable "location" {
  description = "The AWS region the nodes run in (regions/<region>.yaml `location`), e.g. ap-northeast-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.location))
    error_message = "location must be an AWS region name such as ap-northeast-1."
  }
}

variable "node_count" {
  description = "How many nodes the pool has. Rewritten by the autoscaler (only this number, on its own line)."
  type        = number

  validation {
    condition     = var.node_count >= 0 && floor(var.node_count) == var.node_count
    error_message = "node_count must be a whole number >= 0."
  }
}

variable "node_mode" {
  description = "containerd-only, k3s-worker or k3s-master (regions/<region>.yaml `node_mode`)."
  type        = string
  default     = "containerd-only"
}

variable "instance_type" {
  description = "EC2 instance type (regions/<region>.yaml `instance_type`)."
  type        = string
}

variable "labels" {
  description = "Labels sent with each registration (regions/<region>.yaml `labels`)."
  type        = map(string)
  default     = {}
}

variable "service" {
  description = "The service the nodes run and register under."
  type        = string
}

variable "service_image" {
  description = "Fully qualified container image of the service."
  type        = string
}

variable "service_port" {
  description = "Port the service container listens on; nginx proxies port 80 to it."
  type        = number
  default     = 8080
}

variable "api_url" {
  description = "plane-api base URL the nodes register with."
  type        = string
}

variable "nats_url" {
  description = "NATS URL for heartbeats (empty: HTTP heartbeats to plane-api)."
  type        = string
  default     = ""
}

variable "node_agent_release_url" {
  description = "https URL of the node-agent release tarball."
  type        = string
}

variable "node_agent_sha256" {
  description = "SHA-256 of the node-agent release tarball."
  type        = string
  default     = ""
}

variable "nodejs_major" {
  description = "Node.js major version for the node-agent (24 or newer)."
  type        = number
  default     = 24
}

variable "image_id" {
  description = "AMI of the nodes (null: newest official Debian 12)."
  type        = string
  default     = null
}

variable "architecture" {
  description = "x86_64 or arm64, for the default AMI."
  type        = string
  default     = "x86_64"
}

variable "subnet_ids" {
  description = "Subnets for the nodes (empty: the default VPC's default subnets)."
  type        = list(string)
  default     = []
}

variable "assign_public_ip" {
  description = "Give each node a public IPv4 address."
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
  description = "Who may reach port 22 (empty: nobody)."
  type        = list(string)
  default     = []
}

variable "ssh_key_name" {
  description = "EC2 key pair for SSH (null: none)."
  type        = string
  default     = null
}

variable "root_volume_gb" {
  description = "Root volume size per node, GiB."
  type        = number
  default     = 20
}

variable "bootstrap_token_ssm_parameter" {
  description = "SSM SecureString parameter with the nodes' plane-api token, read by each node at boot (null: /plane/<service>/node-token)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
