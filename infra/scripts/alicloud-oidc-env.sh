#!/usr/bin/env bash
# alicloud-oidc-env.sh: in a GitHub Actions job with `permissions: id-token: write`, fetches the
# job's OIDC token for Alibaba Cloud STS into $RUNNER_TEMP/alicloud-oidc-token and exports the
# TF_VAR_oidc_* variables that make infra/stacks/alicloud assume a RAM role with it
# (provider "alicloud" { assume_role_with_oidc { ... } }). No AccessKey is stored anywhere.
#
# Run it again right before each terraform command: the token is short-lived.
#
# Needs: ALICLOUD_ROLE_ARN (the RAM role), ALICLOUD_OIDC_PROVIDER_ARN (the RAM OIDC provider that
# trusts token.actions.githubusercontent.com), optional ALICLOUD_OIDC_AUDIENCE (default
# sts.aliyuncs.com: the provider's client id).
set -euo pipefail

: "${ALICLOUD_ROLE_ARN:?set the repository variable with the RAM role to assume}"
: "${ALICLOUD_OIDC_PROVIDER_ARN:?set the repository variable with the RAM OIDC provider ARN}"
: "${ACTIONS_ID_TOKEN_REQUEST_URL:?the job needs permissions: id-token: write}"
: "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:?the job needs permissions: id-token: write}"
audience="${ALICLOUD_OIDC_AUDIENCE:-sts.aliyuncs.com}"
token_file="${RUNNER_TEMP:?}/alicloud-oidc-token"

umask 077
curl -fsS --retry 3 \
  -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$audience" |
  jq -er .value > "$token_file.new"
mv "$token_file.new" "$token_file"

{
  echo "TF_VAR_oidc_role_arn=$ALICLOUD_ROLE_ARN"
  echo "TF_VAR_oidc_provider_arn=$ALICLOUD_OIDC_PROVIDER_ARN"
  echo "TF_VAR_oidc_token_file=$token_file"
} >> "${GITHUB_ENV:?}"
