output "node_names" {
  description = "The pool's nodes, <region>-<index> (their node-agent node ids)."
  value       = module.node_pool.node_names
}

output "public_ips" {
  description = "Public IPv4 address per node, in index order."
  value       = module.node_pool.public_ips
}

output "private_ips" {
  description = "Private IPv4 address per node, in index order."
  value       = module.node_pool.private_ips
}

output "nodes" {
  description = "Per node name: instance id and addresses."
  value       = module.node_pool.nodes
}
