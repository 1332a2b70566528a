# node_count ECS instances named <region>-<index>, each booted by infra/cloud-init/node.yaml.tftpl
# into a plane node whose node-agent registers under that name.

data "alicloud_images" "debian" {
  count        = var.image_id == null ? 1 : 0
  owners       = "system"
  name_regex   = "^debian_12_"
  architecture = var.architecture
  most_recent  = true
}

data "alicloud_vswitches" "selected" {
  ids = var.vswitch_ids
}

locals {
  image_id          = var.image_id != null ? var.image_id : data.alicloud_images.debian[0].images[0].id
  vpc_id            = data.alicloud_vswitches.selected.vswitches[0].vpc_id
  labels_flag_value = join(",", [for k in sort(keys(var.labels)) : "${k}=${var.labels[k]}"])
  pool_name         = "plane-${var.service}-${var.region}"

  tags = merge(var.tags, {
    "plane:service" = var.service
    "plane:region"  = var.region
  })

  ingress = concat(
    [for cidr in var.ingress_cidrs : { port = 80, cidr = cidr, what = "nginx (the service)" }],
    [for cidr in var.metrics_cidrs : { port = 9100, cidr = cidr, what = "Prometheus node exporter" }],
    [for cidr in var.ssh_cidrs : { port = 22, cidr = cidr, what = "ssh" }],
  )
}

resource "alicloud_security_group" "node" {
  security_group_name = local.pool_name
  description         = "plane nodes of ${var.service} in ${var.region}: nginx, node exporter, ssh"
  vpc_id              = local.vpc_id
  tags                = local.tags
}

resource "alicloud_security_group_rule" "ingress" {
  for_each          = { for rule in local.ingress : "${rule.port}-${rule.cidr}" => rule }
  security_group_id = alicloud_security_group.node.id
  type              = "ingress"
  ip_protocol       = "tcp"
  nic_type          = "intranet"
  policy            = "accept"
  priority          = 1
  port_range        = "${each.value.port}/${each.value.port}"
  cidr_ip           = each.value.cidr
  description       = each.value.what
}

resource "alicloud_instance" "node" {
  count = var.node_count

  instance_name        = "${var.region}-${count.index}"
  host_name            = "${var.region}-${count.index}"
  description          = "plane node ${var.region}-${count.index} of ${var.service}"
  instance_type        = var.instance_type
  image_id             = local.image_id
  vswitch_id           = var.vswitch_ids[count.index % length(var.vswitch_ids)]
  security_groups      = [alicloud_security_group.node.id]
  instance_charge_type = "PostPaid"
  system_disk_category = var.system_disk_category
  system_disk_size     = var.system_disk_gb
  key_name             = var.ssh_key_name

  internet_charge_type       = "PayByTraffic"
  internet_max_bandwidth_out = var.internet_max_bandwidth_out

  user_data = templatefile("${path.module}/../../cloud-init/node.yaml.tftpl", {
    node_id                = "${var.region}-${count.index}"
    region                 = var.region
    service                = var.service
    api_url                = var.api_url
    nats_url               = var.nats_url
    labels                 = local.labels_flag_value
    node_ip                = ""
    ip_source              = "alicloud"
    token_ssm_parameter    = ""
    token_ssm_region       = ""
    bootstrap_token_b64    = base64encode(var.bootstrap_token)
    service_image          = var.service_image
    service_port           = tostring(var.service_port)
    node_agent_release_url = var.node_agent_release_url
    node_agent_sha256      = var.node_agent_sha256
    nodejs_major           = tostring(var.nodejs_major)
  })

  tags = merge(local.tags, {
    Name            = "${var.region}-${count.index}"
    "plane:node-id" = "${var.region}-${count.index}"
  })

  lifecycle {
    # A new image or cloud-init template applies to nodes created from now on; running nodes are
    # replaced on purpose (terraform apply -replace=...), never re-imaged by a routine apply.
    ignore_changes = [image_id, user_data]

    precondition {
      condition     = var.node_mode == "containerd-only"
      error_message = "node-pool-alicloud builds containerd-only nodes; node_mode ${var.node_mode} needs a k3s bootstrap this module does not have yet."
    }
  }
}
