#!/usr/bin/env bash
# The smoke test (scripts/image/smoke.sh): here the built image ($CARBON_IMAGE) migrated and
# served against the local PostgreSQL; in GitLab's smoke stage the deployed environment at
# $SMOKE_URL (with the SMOKE_API_TOKEN CI/CD variable).
source "$(dirname "$0")/common.sh"
if [ -n "${SMOKE_URL:-}" ]; then
  exec scripts/image/smoke.sh --url "$SMOKE_URL"
fi
command -v podman >/dev/null || { echo "image-smoke: podman is missing (scripts/ci/system-packages.sh image)" >&2; exit 1; }
exec scripts/image/smoke.sh "$CARBON_IMAGE"
