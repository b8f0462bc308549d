#!/usr/bin/env bash
# TypeScript, no output files.
source "$(dirname "$0")/common.sh"
npm run typecheck --silent
