#!/usr/bin/env bash
# Debian packages the later steps need, installed only when missing. Groups (any of them):
#   test     what `npm test` needs: Chromium (e2e), PostgreSQL (unless TEST_POSTGRES_URL names a
#            server, as GitLab's postgres service does), kcat (the Kafka mock cluster), Prometheus
#            (promtool), SciPy (the curve benchmark's baseline), poppler-utils (pdftotext)
#   promtool Prometheus only (the alert rules' checks)
#   image    podman, runc and debootstrap (the image build and smoke; scripts/image/*)
# Usage: scripts/ci/system-packages.sh test image
source "$(dirname "$0")/common.sh"

missing=()
need() { missing+=("$@"); }
for group in "$@"; do
  case "$group" in
    test)
      [ -x /usr/bin/chromium ] || need chromium
      [ -n "${TEST_POSTGRES_URL:-}" ] || command -v pg_ctlcluster >/dev/null || need postgresql
      command -v kcat >/dev/null || need kcat
      command -v promtool >/dev/null || need prometheus
      /usr/bin/python3 -c 'import scipy' 2>/dev/null || need python3-scipy
      command -v pdftotext >/dev/null || need poppler-utils
      ;;
    promtool) command -v promtool >/dev/null || need prometheus ;;
    image)
      command -v podman >/dev/null || need podman
      [ -x /usr/sbin/runc ] || command -v runc >/dev/null || need runc
      command -v debootstrap >/dev/null || need debootstrap
      ;;
    *) echo "system-packages: unknown group '$group' (test, promtool, image)" >&2; exit 2 ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: nothing missing ($*)"
  exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "system packages: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
