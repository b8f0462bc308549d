#!/usr/bin/env bash
# Installs node_modules from the committed lock with `npm install`, not `npm ci`
# (docs/decisions/005-npm-install-in-ci.md, 015-image-and-pipeline.md): the registry reachable
# here has no @chdb/lib-* packages for other platforms, so `npm ci` calls the lock out of sync;
# with the lock present `npm install` installs the locked versions. The Dockerfile runs the
# same command. Works from an empty npm cache.
#   NPM_CACHE_DIR  a cache folder to use and keep (GitLab: .npm, saved between pipelines)
source "$(dirname "$0")/common.sh"

cache_args=()
if [ -n "${NPM_CACHE_DIR:-}" ]; then
  mkdir -p "$NPM_CACHE_DIR"
  cache_args=(--cache "$NPM_CACHE_DIR" --prefer-offline)
fi
npm install --no-audit --no-fund --loglevel=error "${cache_args[@]}"
