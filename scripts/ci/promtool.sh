#!/usr/bin/env bash
# The Prometheus alert and recording rules: syntax (check rules) and behaviour (test rules with
# the unit tests under tests/alerts).
source "$(dirname "$0")/common.sh"
command -v promtool >/dev/null || { echo "promtool is missing (apt-get install -y prometheus; scripts/ci/system-packages.sh promtool)" >&2; exit 1; }
rules=chart/files/alerts/carbon.rules.yml
[ -f "$rules" ] || { echo "promtool: $rules is missing" >&2; exit 1; }
promtool check rules "$rules"
shopt -s nullglob
tests=(tests/alerts/*.test.yml)
[ ${#tests[@]} -gt 0 ] || { echo "promtool: no tests/alerts/*.test.yml" >&2; exit 1; }
promtool test rules "${tests[@]}"
