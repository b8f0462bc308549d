#!/usr/bin/env bash
# ESLint over the repository (eslint.config.js).
source "$(dirname "$0")/common.sh"
npm run lint --silent
