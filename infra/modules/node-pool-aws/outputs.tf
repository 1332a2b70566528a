output "node_names" {
  description = "The nodes' names, <region>-<index>: also their node-agent node ids."
  value       = aws_instance.node[*].tags["Name"]
}

output "public_ips" {
  description = "Public IPv4 address per node, in index order (empty where none)."
  value       = aws_instance.node[*].public_ip
}

output "private_ips" {
  description = "Private IPv4 address per node, in index order."
  value       = aws_instance.node[*].private_ip
}

output "nodes" {
  description = "Per node name: instance id and addresses."
  value = {
    for instance in aws_instance.node : instance.tags["Name"] => {
      id         = instance.id
      public_ip  = instance.public_ip
      private_ip = instance.private_ip
    }
  }
}

output "security_group_id" {
  description = "The nodes' security group."
  value       = aws_security_group.node.id
}
