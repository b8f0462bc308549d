#!/usr/bin/env bash
# Deploys the packaged chart (dist/chart/carbon-*.tgz, else chart/) as release "carbon" into the
# namespace carbon-$ENVIRONMENT with chart/values-production.yaml (staging: values-staging.yaml on
# top) and the image built by this pipeline. The chart's hook Jobs run `migrate` and `topics create` before the Deployments roll.
# Never part of .ci/run: it needs a cluster (KUBECONFIG, a GitLab CI/CD file variable).
#   ENVIRONMENT  staging | production
source "$(dirname "$0")/common.sh"
case "${ENVIRONMENT:-}" in
  staging | production) ;;
  *) echo "deploy: ENVIRONMENT must be staging or production (got '${ENVIRONMENT:-}')" >&2; exit 2 ;;
esac
[ -n "${KUBECONFIG:-}" ] && [ -f "$KUBECONFIG" ] || { echo "deploy: KUBECONFIG must name the cluster's kubeconfig file" >&2; exit 2; }
values=(--values chart/values-production.yaml)
[ "$ENVIRONMENT" = staging ] && values+=(--values chart/values-staging.yaml)

chart=chart
shopt -s nullglob
packaged=(dist/chart/carbon-*.tgz)
[ ${#packaged[@]} -eq 1 ] && chart=${packaged[0]}

carbon_helm upgrade --install carbon "$chart" \
  --namespace "carbon-$ENVIRONMENT" --create-namespace \
  "${values[@]}" \
  --set "image.repository=$CARBON_IMAGE_NAME" --set "image.tag=$CARBON_IMAGE_TAG" \
  --atomic --wait --timeout 15m
carbon_helm status carbon --namespace "carbon-$ENVIRONMENT"
