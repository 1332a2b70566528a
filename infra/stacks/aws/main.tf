# Root module for every node pool on AWS. One pool per state:
#   terraform -chdir=infra/stacks/aws init -backend-config=key=node-pool/jp.tfstate ...
#   terraform -chdir=infra/stacks/aws plan -var-file=../../node-pool/jp.tfvars
# Credentials come from the environment (GitHub OIDC in CI, a profile locally), never from files.

provider "aws" {
  region = var.location

  default_tags {
    tags = {
      "plane:managed-by" = "terraform"
      "plane:node-pool"  = "infra/node-pool/${var.region}.tfvars"
    }
  }
}

module "node_pool" {
  source = "../../modules/node-pool-aws"

  region                        = var.region
  node_count                    = var.node_count
  node_mode                     = var.node_mode
  instance_type                 = var.instance_type
  labels                        = var.labels
  service                       = var.service
  service_image                 = var.service_image
  service_port                  = var.service_port
  api_url                       = var.api_url
  nats_url                      = var.nats_url
  node_agent_release_url        = var.node_agent_release_url
  node_agent_sha256             = var.node_agent_sha256
  nodejs_major                  = var.nodejs_major
  image_id                      = var.image_id
  architecture                  = var.architecture
  subnet_ids                    = var.subnet_ids
  assign_public_ip              = var.assign_public_ip
  ingress_cidrs                 = var.ingress_cidrs
  metrics_cidrs                 = var.metrics_cidrs
  ssh_cidrs                     = var.ssh_cidrs
  ssh_key_name                  = var.ssh_key_name
  root_volume_gb                = var.root_volume_gb
  bootstrap_token_ssm_parameter = var.bootstrap_token_ssm_parameter
  tags                          = var.tags
}
