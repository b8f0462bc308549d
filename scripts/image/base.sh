#!/usr/bin/env bash
# Builds the local base image localhost/carbon-base:bookworm, ONLY when it is missing.
#
# Why: no image registry is reachable from this machine, so `FROM node:20-bookworm-slim` cannot be
# pulled. Debian's mirror is reachable, so the base is made the way Debian makes its own images:
# debootstrap's minbase (+ tini and ca-certificates, the two packages the Dockerfile would
# apt-get), plus this host's Node.js and npm. GitLab builds FROM node:20-bookworm-slim instead
# (Dockerfile ARG BASE); the two differ only in where node comes from.
#
# The host's extra CA certificates (/usr/local/share/ca-certificates: this machine's egress proxy)
# are trusted in the base so the build stage's `npm install` reaches the registry the way the host
# does. This base is never pushed anywhere.
#
# Usage: scripts/image/base.sh [--force]   (needs root: debootstrap; ~2 minutes on a fresh machine)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=podman.sh
source "$here/podman.sh"

image=${CARBON_BASE_IMAGE:-localhost/carbon-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ "${1:-}" != "--force" ] && carbon_podman image exists "$image"; then
  echo "base: $image exists ($(carbon_podman image inspect --format '{{.Size}}' "$image") bytes)"
  exit 0
fi

for tool in debootstrap ldd; do
  command -v "$tool" >/dev/null || { echo "base: $tool is missing (apt-get install -y debootstrap)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "base: debootstrap needs root" >&2; exit 1; }

node_bin=$(readlink -f "$(command -v node)")
npm_cli=$(readlink -f "$(command -v npm)")               # .../lib/node_modules/npm/bin/npm-cli.js
npm_dir=$(dirname "$(dirname "$npm_cli")")               # .../lib/node_modules/npm
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || echo "base: warning: host node is $("$node_bin" -v), the image targets Node 20" >&2

root=$(mktemp -d "${TMPDIR:-/tmp}/carbon-base.XXXXXX")
cleanup() { rm -rf "$root"; }
trap cleanup EXIT

echo "base: debootstrap bookworm (minbase + tini, ca-certificates) from $mirror"
debootstrap --variant=minbase --include=tini,ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
  { tail -30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

echo "base: node $("$node_bin" -v) from $node_bin, npm $("$node_bin" "$npm_cli" -v) from $npm_dir"
install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
# The libraries node links against (all of glibc's and libstdc++ here, which minbase has; copied
# anyway so a host node built against something newer still starts).
ldd "$node_bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
  [ -e "$root$lib" ] || install -D -m 0644 "$(readlink -f "$lib")" "$root$lib"
done
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
  # npm verifies with node's own CA list, not the system's: point it at the system bundle
  # (npm's global config for the /usr/local prefix; nothing but npm reads it).
  mkdir -p "$root/usr/local/etc"
  echo 'cafile=/etc/ssl/certs/ca-certificates.crt' >"$root/usr/local/etc/npmrc"
fi

# Slim it like Debian's container images: no apt lists, caches, docs or man pages.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
chroot "$root" /usr/local/bin/node -e 'process.exit(0)' || { echo "base: node does not start in the base" >&2; exit 1; }

tar -C "$root" --numeric-owner -c . | carbon_podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --message "debootstrap bookworm minbase + tini + host node $("$node_bin" -v)" - "$image" >/dev/null
echo "base: $image built ($(carbon_podman image inspect --format '{{.Size}}' "$image") bytes)"
