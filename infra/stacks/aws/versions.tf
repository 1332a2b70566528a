terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Partial configuration: bucket, key (node-pool/<pool>.tfstate) and region are given to
  # `terraform init -backend-config=...` (see infra/README.md), so each pool has its own state and
  # no environment is written into the code. use_lockfile: S3-native state locking.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
