#!/usr/bin/env bash
# helm lint (the chart alone and with each values-<environment>.yaml), then the chart packaged
# into dist/chart/ (carbon-<version>.tgz; appVersion = the image tag when GitLab built one).
source "$(dirname "$0")/common.sh"

carbon_helm lint --strict chart
for values in chart/values-*.yaml; do
  [ -e "$values" ] && carbon_helm lint --strict chart --values "$values"
done
rm -rf dist/chart
mkdir -p dist/chart
app_version=()
[ "$CARBON_IMAGE_TAG" != ci ] && app_version=(--app-version "$CARBON_IMAGE_TAG")
carbon_helm package chart --destination dist/chart "${app_version[@]}"
