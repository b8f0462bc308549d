#!/usr/bin/env bash
# Builds the image carbon:<tag> (default tag: dev) from the repository's Dockerfile and prints its
# size. BASE: localhost/carbon-base:bookworm here (made by base.sh when missing, since no registry
# answers on this machine); node:20-bookworm-slim wherever a registry is reachable
# (CARBON_IMAGE_BASE=node:20-bookworm-slim, as GitLab sets it).
#
# Usage: scripts/image/build.sh [tag]
#   CARBON_IMAGE_NAME   image name (default carbon; GitLab: $CI_REGISTRY_IMAGE)
#   CARBON_IMAGE_BASE   the base image (default localhost/carbon-base:bookworm, built when missing)
#   VERSION REVISION CREATED SOURCE   OCI labels (default: package.json version, git HEAD, now)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=podman.sh
source "$here/podman.sh"

tag=${1:-dev}
name=${CARBON_IMAGE_NAME:-carbon}
base=${CARBON_IMAGE_BASE:-localhost/carbon-base:bookworm}
if [ "$base" = localhost/carbon-base:bookworm ]; then
  "$here/base.sh"
fi

# sed, not node: GitLab's image job runs in quay.io/podman/stable, which has no node.
version=${VERSION:-$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$root/package.json" | head -1)}
revision=${REVISION:-$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
created=${CREATED:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
source_url=${SOURCE:-https://gitlab.com/254carbon/carbon-platform}

echo "image: building $name:$tag from $base (version $version, revision $revision)"
started=$(date +%s)
# --network host: the build stage's npm install reaches the registry the way the host does.
carbon_podman build \
  --network host \
  --layers \
  --build-arg "BASE=$base" \
  --build-arg "VERSION=$version" \
  --build-arg "REVISION=$revision" \
  --build-arg "CREATED=$created" \
  --build-arg "SOURCE=$source_url" \
  --file "$root/Dockerfile" \
  --tag "$name:$tag" \
  "$root"

size=$(carbon_podman image inspect --format '{{.Size}}' "$name:$tag")
echo "image: $name:$tag built in $(( $(date +%s) - started ))s, size $size bytes ($(( size / 1024 / 1024 )) MiB)"
