# The keys of infra/node-pool/<region>.tfvars for pools on Alibaba Cloud. Most are handed
# to modules/node-pool-alicloud unchanged, which validates them in full.

variable "cloud" {
  description = "The pool's cloud, as `provider` in platform-config/regions/<region>.yaml. CI picks the stack (infra/stacks/<cloud>) from it."
  type        = string

  validation {
    condition     = var.cloud == "alicloud"
    error_message = "This stack builds alicloud pools; a pool with another cloud belongs to infra/stacks/<cloud>."
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
  description = "The Alibaba Cloud region the nodes run in (regions/<region>.yaml `location`), e.g. ap-southeast-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z0-9]+)+$", var.location))
    error_message = "location must be an Alibaba Cloud region id such as ap-southeast-1 or cn-hangzhou."
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
  description = "ECS instance type (regions/<region>.yaml `instance_type`)."
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
  description = "ECS image of the nodes (null: newest Debian 12 system image)."
  type        = string
  default     = null
}

variable "architecture" {
  description = "x86_64 or arm64, for the default image."
  type        = string
  default     = "x86_64"
}

variable "vswitch_ids" {
  description = "vSwitches the nodes are spread over (one VPC)."
  type        = list(string)
}

variable "internet_max_bandwidth_out" {
  description = "Public bandwidth per node, Mbit/s (0: no public IPv4)."
  type        = number
  default     = 10
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
  description = "ECS key pair for SSH (null: none)."
  type        = string
  default     = null
}

variable "system_disk_category" {
  description = "System disk category."
  type        = string
  default     = "cloud_essd"
}

variable "system_disk_gb" {
  description = "System disk size per node, GiB."
  type        = number
  default     = 40
}

variable "bootstrap_token_kms_secret" {
  description = "Name of the KMS Secrets Manager secret holding the nodes' plane-api token (null: use bootstrap_token)."
  type        = string
  default     = null
}

variable "bootstrap_token" {
  description = "The nodes' plane-api token when no KMS secret is named. Set TF_VAR_bootstrap_token (CI: a repository secret); never write it into a file."
  type        = string
  sensitive   = true
  default     = null

  validation {
    # Empty counts as not set (CI passes an empty TF_VAR_bootstrap_token when the secret is absent).
    condition     = var.bootstrap_token == null || var.bootstrap_token == "" || try(length(var.bootstrap_token) >= 16, false)
    error_message = "bootstrap_token must be at least 16 characters."
  }
}

variable "oidc_role_arn" {
  description = "RAM role to assume with an OIDC token (CI: TF_VAR_oidc_role_arn). Null: credentials from the environment."
  type        = string
  default     = null
}

variable "oidc_provider_arn" {
  description = "ARN of the RAM OIDC identity provider that trusts the CI's tokens."
  type        = string
  default     = null
}

variable "oidc_token_file" {
  description = "File holding the OIDC token (CI writes it before each terraform command)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
