#!/usr/bin/env bash
# The Helm chart rendered and checked (scripts/chart-check.ts: helm lint and template with each
# values file, every manifest against its Kubernetes schema).
source "$(dirname "$0")/common.sh"
npm run chart:check --silent
