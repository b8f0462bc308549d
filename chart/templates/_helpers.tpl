{{/*
Names and labels.
*/}}
{{- define "carbon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "carbon.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "carbon.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selects every pod of the release (Deployments and hook Jobs): the NetworkPolicies use it. */}}
{{- define "carbon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "carbon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "carbon.labels" -}}
helm.sh/chart: {{ include "carbon.chart" . }}
{{ include "carbon.selectorLabels" . }}
app.kubernetes.io/version: {{ include "carbon.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: carbon
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* dict "root" $ "component" "web" */}}
{{- define "carbon.componentSelectorLabels" -}}
{{ include "carbon.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "carbon.componentLabels" -}}
{{ include "carbon.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The processes: values key -> component name (also the Kubernetes name suffix) and command.
Every sidecar is its own command; the web process is `serve`.
*/}}
{{- define "carbon.componentKeys" -}}
{{- list "web" "ingest" "consumer" "solver" "scenarioWorker" "exportWorker" | toJson }}
{{- end }}

{{- define "carbon.componentName" -}}
{{- kebabcase . }}
{{- end }}

{{- define "carbon.componentCommand" -}}
{{- if eq . "web" }}serve{{ else }}{{ kebabcase . }}{{ end }}
{{- end }}

{{- define "carbon.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "carbon.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "carbon.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{- define "carbon.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "carbon.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The hook Jobs run before the release's own ServiceAccount exists (pre-install), so they use one
created as a hook themselves unless an existing account is named.
*/}}
{{- define "carbon.hookServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-hooks" (include "carbon.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "carbon.configMapName" -}}
{{- printf "%s-config" (include "carbon.fullname" .) }}
{{- end }}

{{- define "carbon.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- end }}
{{- end }}

{{/* The variables the chart sets itself; config.extra may not name them. */}}
{{- define "carbon.managedVariables" -}}
{{- list "NODE_ENV" "HOST" "PORT" "METRICS_PORT" "LOG_LEVEL" "DATA_DIR" "PUBLIC_URL" "CLICKHOUSE_URL" "CLICKHOUSE_USER" "CLICKHOUSE_DATABASE" "KAFKA_BROKERS" "BUS_MAX_RETRIES" "S3_ENDPOINT" "S3_REGION" "S3_BUCKET" "OIDC_ISSUER" "OIDC_CLIENT_ID" "OIDC_API_AUDIENCE" "INGEST_SOURCE" "DEMO_DATA" "DEV_IDP" "OTEL_EXPORTER_OTLP_ENDPOINT" "OTEL_SERVICE_NAME" | toJson }}
{{- end }}

{{/* Variables that hold secrets: only ever from a Secret (secretKeyRef). */}}
{{- define "carbon.secretVariables" -}}
{{- list "DATABASE_URL" "CLICKHOUSE_PASSWORD" "S3_ACCESS_KEY_ID" "S3_SECRET_ACCESS_KEY" "OIDC_CLIENT_SECRET" "SESSION_SECRET" "METRICS_TOKEN" "MISO_DX_KEY" "PJM_KEY" "ISONE_USERNAME" "ISONE_PASSWORD" "AESO_KEY" "EIA_KEY" "OTEL_EXPORTER_OTLP_HEADERS" | toJson }}
{{- end }}

{{/* Non-secret configuration (server/env.ts) as a map: the ConfigMap's data and the hooks' env. */}}
{{- define "carbon.configData" -}}
{{- $data := dict
  "NODE_ENV" "production"
  "HOST" "0.0.0.0"
  "PORT" "3000"
  "METRICS_PORT" (toString .Values.metrics.port)
  "LOG_LEVEL" .Values.config.logLevel
  "DATA_DIR" "/tmp/carbon"
  "CLICKHOUSE_URL" .Values.clickhouse.url
  "CLICKHOUSE_USER" .Values.clickhouse.user
  "CLICKHOUSE_DATABASE" .Values.clickhouse.database
  "KAFKA_BROKERS" (join "," .Values.kafka.brokers)
  "BUS_MAX_RETRIES" (toString .Values.config.busMaxRetries)
  "S3_REGION" .Values.s3.region
  "S3_BUCKET" .Values.s3.bucket
  "OIDC_ISSUER" .Values.oidc.issuer
  "OIDC_CLIENT_ID" .Values.oidc.clientId
  "OIDC_API_AUDIENCE" .Values.oidc.audience
  "INGEST_SOURCE" .Values.config.ingestSource
  "DEMO_DATA" "off"
  "DEV_IDP" "off"
}}
{{- with (include "carbon.publicUrl" .) }}{{ $_ := set $data "PUBLIC_URL" . }}{{ end }}
{{- with .Values.s3.endpoint }}{{ $_ := set $data "S3_ENDPOINT" . }}{{ end }}
{{- with .Values.otel.endpoint }}{{ $_ := set $data "OTEL_EXPORTER_OTLP_ENDPOINT" . }}{{ end }}
{{- with .Values.otel.serviceName }}{{ $_ := set $data "OTEL_SERVICE_NAME" . }}{{ end }}
{{- range $name, $value := .Values.config.extra }}{{ $_ := set $data $name (toString $value) }}{{ end }}
{{- toYaml $data }}
{{- end }}

{{- define "carbon.secretRef" -}}
valueFrom:
  secretKeyRef:
    name: {{ .name }}
    key: {{ .key }}
{{- end }}

{{/*
Secret variables as env entries. dict "root" $ "component" <name>; component "hook" for the
hook Jobs (no metrics token: they serve nothing). Every process gets the OIDC client secret and
the session secret because server/env.ts requires them in production whatever the command.
*/}}
{{- define "carbon.secretEnv" -}}
{{- $v := .root.Values -}}
- name: DATABASE_URL
  {{- include "carbon.secretRef" (dict "name" $v.postgresql.existingSecret "key" $v.postgresql.urlKey) | nindent 2 }}
- name: CLICKHOUSE_PASSWORD
  {{- include "carbon.secretRef" (dict "name" $v.clickhouse.existingSecret "key" $v.clickhouse.passwordKey) | nindent 2 }}
- name: S3_ACCESS_KEY_ID
  {{- include "carbon.secretRef" (dict "name" $v.s3.existingSecret "key" $v.s3.accessKeyIdKey) | nindent 2 }}
- name: S3_SECRET_ACCESS_KEY
  {{- include "carbon.secretRef" (dict "name" $v.s3.existingSecret "key" $v.s3.secretAccessKeyKey) | nindent 2 }}
- name: OIDC_CLIENT_SECRET
  {{- include "carbon.secretRef" (dict "name" $v.oidc.existingSecret "key" $v.oidc.clientSecretKey) | nindent 2 }}
- name: SESSION_SECRET
  {{- include "carbon.secretRef" (dict "name" $v.session.existingSecret "key" $v.session.secretKey) | nindent 2 }}
{{- if ne .component "hook" }}
- name: METRICS_TOKEN
  {{- include "carbon.secretRef" (dict "name" $v.metrics.existingSecret "key" $v.metrics.tokenKey) | nindent 2 }}
{{- end }}
{{- if and (eq .component "ingest") $v.misoDataExchange.existingSecret }}
- name: MISO_DX_KEY
  {{- include "carbon.secretRef" (dict "name" $v.misoDataExchange.existingSecret "key" $v.misoDataExchange.key) | nindent 2 }}
{{- end }}
{{- if and (eq .component "ingest") $v.publisherCredentials.existingSecret }}
{{- range $name, $key := dict "PJM_KEY" $v.publisherCredentials.pjmKey "ISONE_USERNAME" $v.publisherCredentials.isoneUsername "ISONE_PASSWORD" $v.publisherCredentials.isonePassword "AESO_KEY" $v.publisherCredentials.aesoKey "EIA_KEY" $v.publisherCredentials.eiaKey }}
- name: {{ $name }}
  {{- include "carbon.secretRef" (dict "name" $v.publisherCredentials.existingSecret "key" $key) | nindent 2 }}
      optional: true
{{- end }}
{{- end }}
{{- if and $v.otel.endpoint $v.otel.headers.existingSecret }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  {{- include "carbon.secretRef" (dict "name" $v.otel.headers.existingSecret "key" $v.otel.headers.key) | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod Security Standard "restricted". */}}
{{- define "carbon.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "carbon.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "carbon.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- with .Values.tmpVolume.medium }}
    medium: {{ . }}
    {{- end }}
    {{- with .Values.tmpVolume.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}

{{- define "carbon.podAnnotations" -}}
checksum/config: {{ include "carbon.configData" .root | sha256sum }}
{{- with .root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- with .values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Refusals the schema cannot express (it sees one value at a time).
*/}}
{{- define "carbon.validate" -}}
{{- $managed := include "carbon.managedVariables" . | fromJsonArray }}
{{- $secret := include "carbon.secretVariables" . | fromJsonArray }}
{{- range $name, $_ := .Values.config.extra }}
{{- if has $name $managed }}
{{- fail (printf "config.extra.%s: set by the chart itself; use the matching value instead" $name) }}
{{- end }}
{{- if has $name $secret }}
{{- fail (printf "config.extra.%s: a secret; it comes from a Secret (see the chart's secret values), never the ConfigMap" $name) }}
{{- end }}
{{- end }}
{{- $partitions := int .Values.kafka.partitions }}
{{- if .Values.kafka.createTopics }}
{{- range $key := list "consumer" "solver" "scenarioWorker" "exportWorker" }}
{{- $c := index $.Values $key }}
{{- if and $c.enabled (gt (int $c.replicas) $partitions) }}
{{- fail (printf "%s.replicas (%d) exceeds kafka.partitions (%d): replicas beyond the partition count get no partition and sit idle" $key (int $c.replicas) $partitions) }}
{{- end }}
{{- end }}
{{- end }}
{{- $hpa := .Values.web.autoscaling }}
{{- if and $hpa.enabled (gt (int $hpa.minReplicas) (int $hpa.maxReplicas)) }}
{{- fail (printf "web.autoscaling.minReplicas (%d) exceeds web.autoscaling.maxReplicas (%d)" (int $hpa.minReplicas) (int $hpa.maxReplicas)) }}
{{- end }}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (not .Values.ingress.tls.secretName) }}
{{- fail "ingress.tls.secretName: required when ingress.tls.enabled" }}
{{- end }}
{{- end }}
