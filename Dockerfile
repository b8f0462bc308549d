# The one 254Carbon image: every process (web, ingest, consumer, solver, scenario-worker,
# export-worker, migrate, topics) is `node /app/dist/server/cli.js <command>`.
#
#   scripts/image/build.sh [tag]     builds it (local base here, node:20-bookworm-slim in GitLab)
#   scripts/image/smoke.sh [image]   migrate + serve + /readyz + sign-in page + one API call
#
# BASE is a build argument because no registry is reachable on the development machine: there
# scripts/image/base.sh makes localhost/carbon-base:bookworm (debootstrap + tini + the host's
# node and npm). See docs/decisions/015-image-and-pipeline.md.
ARG BASE=node:20-bookworm-slim

# ---- build: install from the committed lock, build, keep only what runs -----------------------
FROM ${BASE} AS build
WORKDIR /src
ENV CI=true TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Manifests first, so the install layer is reused until the lock or a manifest changes. One line
# per workspace package (tests/ci/image.test.ts checks none is missing).
COPY package.json package-lock.json ./
COPY packages/compliance/package.json packages/compliance/
COPY packages/connectors/package.json packages/connectors/
COPY packages/curves/package.json packages/curves/
COPY packages/demo-data/package.json packages/demo-data/
COPY packages/scenario/package.json packages/scenario/
COPY packages/schemas/package.json packages/schemas/
COPY packages/sdk/package.json packages/sdk/
COPY packages/simulator/package.json packages/simulator/
# `npm install` from the lock, as CI does (scripts/ci/npm-install.sh; decisions 005 and 015).
RUN --mount=type=cache,target=/root/.npm \
    npm install --no-audit --no-fund --loglevel=error

COPY . .
RUN npm run build

# Production dependencies only, then the embedded-only engines: chDB (~550 MB) and PGlite load
# lazily when CLICKHOUSE_URL / DATABASE_URL are unset, which a deployment never leaves unset.
RUN npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && rm -rf node_modules/chdb node_modules/@chdb node_modules/@electric-sql/pglite

# Exactly the runtime files, gathered in /out so the last stage copies one tree
# (scripts/image/runtime-files.mjs says what and why).
RUN node scripts/image/runtime-files.mjs /out

# ---- runtime ------------------------------------------------------------------------------------
FROM ${BASE}
ARG VERSION=0.0.0
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE=https://gitlab.com/254carbon/carbon-platform

LABEL org.opencontainers.image.title="254Carbon" \
      org.opencontainers.image.description="254Carbon market intelligence platform: hub, API, ingest, consumers, solver, workers (one image, one command per process)" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="LicenseRef-254Carbon-Proprietary"

# tini reaps zombies and forwards SIGTERM to node. The local base already has it (no apt there).
RUN if [ ! -x /usr/bin/tini ]; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tini \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --gid 10001 carbon \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin carbon

# Owned by root and not writable by the app: only /tmp (an emptyDir in Kubernetes) is written.
COPY --from=build /out /app

WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/tmp/carbon \
    PORT=3000 \
    METRICS_PORT=9464 \
    CARBON_REVISION=${REVISION}
USER 10001:10001
EXPOSE 3000 9464
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/server/cli.js"]
CMD ["serve"]
