terraform {
  required_version = ">= 1.10.0"

  required_providers {
    alicloud = {
      source  = "aliyun/alicloud"
      version = "1.289.0"
    }
  }

  # Partial configuration, as in infra/stacks/aws: every pool's state sits in the one S3 state
  # bucket (key node-pool/<pool>.tfstate), so CI initialises every stack the same way. To keep
  # this stack's state in OSS instead, write backend "oss" {} here and pass bucket, prefix, key,
  # region and tablestore_endpoint/tablestore_table (locking) with -backend-config.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
