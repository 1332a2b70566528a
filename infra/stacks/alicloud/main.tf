# Root module for every node pool on Alibaba Cloud (ECS). One pool per state:
#   terraform -chdir=infra/stacks/alicloud init -backend-config=key=node-pool/sg.tfstate ...
#   terraform -chdir=infra/stacks/alicloud plan -var-file=../../node-pool/sg.tfvars
# Credentials come from the environment, never from files: in CI a RAM role assumed with the
# workflow's OIDC token (the oidc_* variables, set as TF_VAR_* by the workflow); locally an
# AccessKey in ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET or a CLI profile.

provider "alicloud" {
  region = var.location

  dynamic "assume_role_with_oidc" {
    for_each = var.oidc_role_arn == null ? [] : [var.oidc_role_arn]

    content {
      role_arn          = assume_role_with_oidc.value
      oidc_provider_arn = var.oidc_provider_arn
      oidc_token_file   = var.oidc_token_file
      role_session_name = "plane-node-pool-${var.region}"
    }
  }
}

# The nodes' plane-api token: from KMS Secrets Manager when a secret is named, else from
# var.bootstrap_token (TF_VAR_bootstrap_token, a CI secret). Never a value in a file.
data "alicloud_kms_secret_versions" "node_token" {
  count          = var.bootstrap_token_kms_secret == null ? 0 : 1
  secret_name    = var.bootstrap_token_kms_secret
  version_stage  = "ACSCurrent"
  enable_details = true
}

locals {
  bootstrap_token = (
    var.bootstrap_token_kms_secret == null
    ? (var.bootstrap_token == "" ? null : var.bootstrap_token)
    : sensitive(data.alicloud_kms_secret_versions.node_token[0].versions[0].secret_data)
  )
}

module "node_pool" {
  source = "../../modules/node-pool-alicloud"

  region                     = var.region
  node_count                 = var.node_count
  node_mode                  = var.node_mode
  instance_type              = var.instance_type
  labels                     = var.labels
  service                    = var.service
  service_image              = var.service_image
  service_port               = var.service_port
  api_url                    = var.api_url
  nats_url                   = var.nats_url
  node_agent_release_url     = var.node_agent_release_url
  node_agent_sha256          = var.node_agent_sha256
  nodejs_major               = var.nodejs_major
  image_id                   = var.image_id
  architecture               = var.architecture
  vswitch_ids                = var.vswitch_ids
  internet_max_bandwidth_out = var.internet_max_bandwidth_out
  ingress_cidrs              = var.ingress_cidrs
  metrics_cidrs              = var.metrics_cidrs
  ssh_cidrs                  = var.ssh_cidrs
  ssh_key_name               = var.ssh_key_name
  system_disk_category       = var.system_disk_category
  system_disk_gb             = var.system_disk_gb
  bootstrap_token            = local.bootstrap_token
  tags                       = var.tags
}
