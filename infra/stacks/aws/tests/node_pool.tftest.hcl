# terraform test (offline: the AWS provider is mocked). Run per pool file:
#   terraform -chdir=infra/stacks/aws init -backend=false
#   terraform -chdir=infra/stacks/aws test -var-file=../../node-pool/jp.tfvars
# Plans the pool and checks what the autoscaler relies on: node_count instances, named
# <region>-<index>, each booted with its own node id.

mock_provider "aws" {
  mock_data "aws_ami" {
    defaults = {
      id = "ami-0123456789abcdef0"
    }
  }

  mock_data "aws_subnets" {
    defaults = {
      ids = ["subnet-0000000000000000b", "subnet-0000000000000000a"]
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "ap-northeast-1"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

run "pool_from_its_file" {
  command = plan

  assert {
    condition     = length(output.node_names) == var.node_count
    error_message = "The pool must have node_count instances."
  }

  assert {
    condition     = output.node_names == [for i in range(var.node_count) : "${var.region}-${i}"]
    error_message = "Instances must be named <region>-<index>."
  }
}

run "scale_out_adds_the_next_index" {
  command = plan

  variables {
    node_count = 3
  }

  assert {
    condition     = output.node_names == ["${var.region}-0", "${var.region}-1", "${var.region}-2"]
    error_message = "node_count = 3 must plan <region>-0 .. <region>-2."
  }
}

run "zero_nodes" {
  command = plan

  variables {
    node_count = 0
  }

  assert {
    condition     = length(output.node_names) == 0
    error_message = "node_count = 0 must plan no instance."
  }
}

run "negative_count_is_refused" {
  command = plan

  variables {
    node_count = -1
  }

  expect_failures = [var.node_count]
}
