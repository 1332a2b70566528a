output "node_names" {
  description = "The nodes' names, <region>-<index>: also their node-agent node ids."
  value       = alicloud_instance.node[*].instance_name
}

output "public_ips" {
  description = "Public IPv4 address per node, in index order (empty where none)."
  value       = alicloud_instance.node[*].public_ip
}

output "private_ips" {
  description = "Private IPv4 address per node, in index order."
  value       = alicloud_instance.node[*].private_ip
}

output "nodes" {
  description = "Per node name: instance id and addresses."
  value = {
    for instance in alicloud_instance.node : instance.instance_name => {
      id         = instance.id
      public_ip  = instance.public_ip
      private_ip = instance.private_ip
    }
  }
}

output "security_group_id" {
  description = "The nodes' security group."
  value       = alicloud_security_group.node.id
}
