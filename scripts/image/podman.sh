#!/usr/bin/env bash
# The one way every script here calls podman (sourced or run: `scripts/image/podman.sh images`).
# This machine's kernel runs cgroups in hybrid mode, which crun refuses ("cgroups in hybrid mode
# not supported"): runc with the cgroupfs manager works. The container runtime here may not raise
# rlimits, so containers.conf clears the default ulimits. Everything else is podman's default.
# PODMAN_RUNTIME / PODMAN_CGROUP_MANAGER override the two flags on machines that need others.
set -euo pipefail

carbon_podman_conf() {
  local conf="${TMPDIR:-/tmp}/carbon-containers.conf"
  if [ ! -f "$conf" ]; then
    printf '[containers]\ndefault_ulimits = []\n' >"$conf.$$"
    mv "$conf.$$" "$conf"
  fi
  printf '%s' "$conf"
}

carbon_podman() {
  command -v podman >/dev/null || { echo "podman is not installed (apt-get install -y podman runc)" >&2; return 127; }
  # runc where it is installed (Debian's podman here); else podman's own default (crun in
  # quay.io/podman/stable, GitLab's image job).
  local runtime=("--runtime" "${PODMAN_RUNTIME:-$(command -v runc || echo /usr/sbin/runc)}")
  [ -x "${runtime[1]}" ] || runtime=()
  CONTAINERS_CONF="${CONTAINERS_CONF:-$(carbon_podman_conf)}" \
    podman "${runtime[@]}" --cgroup-manager "${PODMAN_CGROUP_MANAGER:-cgroupfs}" "$@"
}

# Run as a command: pass the arguments to podman.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  carbon_podman "$@"
fi
