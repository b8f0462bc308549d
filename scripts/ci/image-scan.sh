#!/usr/bin/env bash
# Scans the image for known vulnerabilities with Trivy: a CRITICAL one fails the pipeline.
# GitLab runs this in the aquasec/trivy image against the pushed image. Trivy cannot be installed
# on the development machine (not in Debian, and nothing may be downloaded there), so there the
# step says it is skipped and why; in GitLab a missing trivy is an error, never a silent pass.
source "$(dirname "$0")/common.sh"
if ! command -v trivy >/dev/null; then
  if [ -n "${GITLAB_CI:-}" ]; then
    echo "image-scan: trivy is missing: run this job in the aquasec/trivy image" >&2
    exit 1
  fi
  echo "image-scan: skipped: trivy is not installed on this machine (not in Debian's archive, no downloads); GitLab's image-scan job runs it"
  exit 0
fi
if [ -n "${CI_REGISTRY:-}" ]; then
  export TRIVY_USERNAME=${TRIVY_USERNAME:-$CI_REGISTRY_USER} TRIVY_PASSWORD=${TRIVY_PASSWORD:-$CI_REGISTRY_PASSWORD}
fi
trivy image --exit-code 1 --severity CRITICAL --no-progress "$CARBON_IMAGE"
