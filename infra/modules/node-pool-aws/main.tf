# node_count EC2 instances named <region>-<index>, each booted by infra/cloud-init/node.yaml.tftpl
# into a plane node whose node-agent registers under that name.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

# Official Debian 12 images (Debian's AWS account).
data "aws_ami" "debian" {
  count       = var.image_id == null ? 1 : 0
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = [var.architecture == "arm64" ? "debian-12-arm64-*" : "debian-12-amd64-*"]
  }

  filter {
    name   = "architecture"
    values = [var.architecture]
  }
}

data "aws_vpc" "default" {
  count   = length(var.subnet_ids) == 0 ? 1 : 0
  default = true
}

data "aws_subnets" "default" {
  count = length(var.subnet_ids) == 0 ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default[0].id]
  }

  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

data "aws_subnet" "first" {
  id = local.subnet_ids[0]
}

locals {
  image_id = var.image_id != null ? var.image_id : data.aws_ami.debian[0].id
  # Sorted, so that the subnet of node i does not move when AWS lists subnets in another order.
  subnet_ids        = length(var.subnet_ids) > 0 ? var.subnet_ids : sort(data.aws_subnets.default[0].ids)
  token_parameter   = coalesce(var.bootstrap_token_ssm_parameter, "/plane/${var.service}/node-token")
  labels_flag_value = join(",", [for k in sort(keys(var.labels)) : "${k}=${var.labels[k]}"])
  pool_name         = "plane-${var.service}-${var.region}"

  tags = merge(var.tags, {
    "plane:service" = var.service
    "plane:region"  = var.region
  })
}

resource "aws_security_group" "node" {
  name_prefix = "${local.pool_name}-"
  description = "plane nodes of ${var.service} in ${var.region}: nginx, node exporter, ssh"
  vpc_id      = data.aws_subnet.first.vpc_id
  tags        = merge(local.tags, { Name = local.pool_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  for_each          = toset(var.ingress_cidrs)
  security_group_id = aws_security_group.node.id
  description       = "nginx (the service)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "node_exporter" {
  for_each          = toset(var.metrics_cidrs)
  security_group_id = aws_security_group.node.id
  description       = "Prometheus node exporter"
  ip_protocol       = "tcp"
  from_port         = 9100
  to_port           = 9100
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each          = toset(var.ssh_cidrs)
  security_group_id = aws_security_group.node.id
  description       = "ssh"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.node.id
  description       = "packages, images, plane-api, NATS"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

# The instance role may read the token's SSM parameter and nothing else.
data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

data "aws_iam_policy_document" "read_token" {
  statement {
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter${local.token_parameter}"]
  }

  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

resource "aws_iam_role" "node" {
  name_prefix        = "${substr(local.pool_name, 0, 32)}-"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "read_token" {
  name   = "read-node-token"
  role   = aws_iam_role.node.id
  policy = data.aws_iam_policy_document.read_token.json
}

resource "aws_iam_instance_profile" "node" {
  name_prefix = "${substr(local.pool_name, 0, 32)}-"
  role        = aws_iam_role.node.name
  tags        = local.tags
}

resource "aws_instance" "node" {
  count = var.node_count

  ami                         = local.image_id
  instance_type               = var.instance_type
  subnet_id                   = local.subnet_ids[count.index % length(local.subnet_ids)]
  vpc_security_group_ids      = [aws_security_group.node.id]
  associate_public_ip_address = var.assign_public_ip
  iam_instance_profile        = aws_iam_instance_profile.node.name
  key_name                    = var.ssh_key_name

  user_data = templatefile("${path.module}/../../cloud-init/node.yaml.tftpl", {
    node_id                = "${var.region}-${count.index}"
    region                 = var.region
    service                = var.service
    api_url                = var.api_url
    nats_url               = var.nats_url
    labels                 = local.labels_flag_value
    node_ip                = ""
    ip_source              = "aws"
    token_ssm_parameter    = local.token_parameter
    token_ssm_region       = data.aws_region.current.name
    bootstrap_token_b64    = ""
    service_image          = var.service_image
    service_port           = tostring(var.service_port)
    node_agent_release_url = var.node_agent_release_url
    node_agent_sha256      = var.node_agent_sha256
    nodejs_major           = tostring(var.nodejs_major)
  })

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.root_volume_gb
    encrypted   = true
  }

  tags = merge(local.tags, {
    Name            = "${var.region}-${count.index}"
    "plane:node-id" = "${var.region}-${count.index}"
  })

  lifecycle {
    # A new AMI or cloud-init template applies to nodes created from now on; running nodes are
    # replaced on purpose (terraform apply -replace=...), never rebooted by a routine apply.
    ignore_changes = [ami, user_data]

    precondition {
      condition     = var.node_mode == "containerd-only"
      error_message = "node-pool-aws builds containerd-only nodes; node_mode ${var.node_mode} needs a k3s bootstrap this module does not have yet."
    }
  }
}
