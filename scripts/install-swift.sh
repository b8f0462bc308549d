#!/usr/bin/env bash
# Installs Debian's OpenStack Swift (proxy with the s3api middleware, account, container and
# object servers) and memcached: the real S3-compatible store the object-store integration tests
# run against (tests/setup/swift.ts). Idempotent: does nothing when every binary is present.
# Needs root (or sudo) and Debian's package mirrors; ~75 s on a fresh machine.
set -euo pipefail

packages=(swift-proxy swift-object swift-container swift-account memcached)
binaries=(swift-proxy-server swift-object-server swift-container-server swift-account-server swift-ring-builder memcached)

missing=0
for binary in "${binaries[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing=1
done
# s3api ships inside the proxy's Python package (Debian's python3, not a pyenv shim): check it imports.
if [ "$missing" -eq 0 ] && ! /usr/bin/python3 -c 'import swift.common.middleware.s3api' >/dev/null 2>&1; then
  missing=1
fi
if [ "$missing" -eq 0 ]; then
  echo "swift: already installed ($(dpkg-query -W -f='${Version}' swift-proxy 2>/dev/null || echo unknown))"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-swift.sh: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# The packages' own services are not wanted: tests start throwaway servers on free ports.
# (No systemd in containers; ignore failures where there is nothing to stop.)
for service in memcached swift-proxy swift-object swift-container swift-account; do
  "${sudo[@]}" service "$service" stop >/dev/null 2>&1 || true
done
echo "swift: installed $(dpkg-query -W -f='${Version}' swift-proxy)"
