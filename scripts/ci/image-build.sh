#!/usr/bin/env bash
# Builds the image ($CARBON_IMAGE: carbon:ci here, $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA in GitLab)
# with scripts/image/build.sh, and in GitLab pushes it to the project's registry for the scan,
# the chart's deployment and the smoke test.
#   CARBON_IMAGE_BASE  node:20-bookworm-slim where a registry answers (GitLab sets it); here the
#                      local base made by scripts/image/base.sh
source "$(dirname "$0")/common.sh"
command -v podman >/dev/null || { echo "image-build: podman is missing (scripts/ci/system-packages.sh image)" >&2; exit 1; }
# shellcheck source=../image/podman.sh
source scripts/image/podman.sh

REVISION=${REVISION:-${CI_COMMIT_SHA:-}} VERSION=${VERSION:-${CI_COMMIT_TAG:-}} SOURCE=${SOURCE:-${CI_PROJECT_URL:-}} \
  scripts/image/build.sh "$CARBON_IMAGE_TAG"

if [ -n "${CI_REGISTRY:-}" ]; then
  carbon_podman login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY" <<<"$CI_REGISTRY_PASSWORD"
  carbon_podman push "$CARBON_IMAGE"
  echo "image-build: pushed $CARBON_IMAGE"
fi
