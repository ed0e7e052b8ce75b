{{/* Chart name, overridable with nameOverride. */}}
{{- define "asmpvl.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: "<release>-<chart>", or the release name alone when it already
contains the chart name. Truncated so "<fullname>-webhook-tls" stays a valid DNS label.
*/}}
{{- define "asmpvl.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := include "asmpvl.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "<name>-<version>" as helm.sh/chart expects it. */}}
{{- define "asmpvl.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the webhook pods; never change them (Deployment selectors are immutable). */}}
{{- define "asmpvl.selectorLabels" -}}
app.kubernetes.io/name: {{ include "asmpvl.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end }}

{{/* Labels every resource carries besides the selector labels. */}}
{{- define "asmpvl.commonLabels" -}}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: asmpvl
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "asmpvl.chart" . }}
{{- end }}

{{/* Standard labels on every webhook resource (and the CRD-wide objects) the chart renders. */}}
{{- define "asmpvl.labels" -}}
{{ include "asmpvl.selectorLabels" . }}
{{ include "asmpvl.commonLabels" . }}
{{- end }}

{{/* Labels that select the controller pods; never change them (Deployment selectors are immutable). */}}
{{- define "asmpvl.controllerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "asmpvl.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* Standard labels on every controller resource. */}}
{{- define "asmpvl.controllerLabels" -}}
{{ include "asmpvl.controllerSelectorLabels" . }}
{{ include "asmpvl.commonLabels" . }}
{{- end }}

{{/* Name of the controller's Deployment, ServiceAccount, PodDisruptionBudget and RBAC objects. */}}
{{- define "asmpvl.controllerName" -}}
{{- printf "%s-controller" (include "asmpvl.fullname" .) }}
{{- end }}

{{/* Namespace of the controller's leader-election Lease (and of the Role that allows it). */}}
{{- define "asmpvl.leaseNamespace" -}}
{{- default .Release.Namespace .Values.controller.leaderElection.namespace }}
{{- end }}

{{/* Name of the webhook's Deployment, Service, ServiceAccount and PodDisruptionBudget. */}}
{{- define "asmpvl.webhookName" -}}
{{- printf "%s-webhook" (include "asmpvl.fullname" .) }}
{{- end }}

{{/*
The Secret holding tls.crt, tls.key and ca.crt. cert-manager and the chart write differently
named Secrets, so switching between the two never has Helm and cert-manager fight over one object.
*/}}
{{- define "asmpvl.tlsSecretName" -}}
{{- if .Values.webhook.tls.existingSecret }}
{{- .Values.webhook.tls.existingSecret }}
{{- else if .Values.certManager.enabled }}
{{- printf "%s-webhook-cert-manager-tls" (include "asmpvl.fullname" .) }}
{{- else }}
{{- printf "%s-webhook-tls" (include "asmpvl.fullname" .) }}
{{- end }}
{{- end }}

{{/* DNS names the API server may use for the Service; the first is what it actually dials. */}}
{{- define "asmpvl.serviceDNSNames" -}}
{{- $service := include "asmpvl.webhookName" . }}
{{- $namespace := .Release.Namespace }}
{{- list (printf "%s.%s.svc" $service $namespace) (printf "%s.%s.svc.%s" $service $namespace .Values.clusterDomain) (printf "%s.%s" $service $namespace) $service | toJson }}
{{- end }}

{{/* Every DNS name of the serving certificate: the Service's, then webhook.tls.extraDnsNames. */}}
{{- define "asmpvl.certificateDNSNames" -}}
{{- concat (include "asmpvl.serviceDNSNames" . | fromJsonArray) .Values.webhook.tls.extraDnsNames | uniq | toJson }}
{{- end }}

{{/* Image reference (webhook and controller share one image): the digest when given, else the tag, else the chart's appVersion. */}}
{{- define "asmpvl.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the webhook runs out of cluster at webhook.url (a single-cluster install). */}}
{{- define "asmpvl.outOfCluster" -}}
{{- if and .Values.webhook.url (not .Values.asm.side) }}true{{ end }}
{{- end }}

{{/*
True (non-empty) when this release runs the webhook pods (Deployment, Service, TLS, budget): not on
the ASM instance's side of a split install, and not with an out-of-cluster webhook.
*/}}
{{- define "asmpvl.rendersWebhookPods" -}}
{{- if and (ne .Values.asm.side "apiserver") (not (include "asmpvl.outOfCluster" .)) }}true{{ end }}
{{- end }}

{{/* True (non-empty) when this release renders the webhook configurations: not on the pod side of a split install. */}}
{{- define "asmpvl.rendersWebhookConfigurations" -}}
{{- if ne .Values.asm.side "pods" }}true{{ end }}
{{- end }}

{{/* True (non-empty) when this release runs the controller pods: not on the ASM instance's side. */}}
{{- define "asmpvl.rendersControllerPods" -}}
{{- if and .Values.controller.enabled (ne .Values.asm.side "apiserver") }}true{{ end }}
{{- end }}

{{/*
True (non-empty) when this release grants the controller's access to asmpvlconfigs, Events and its
Lease: where the object lives, so not on the pod side of a split install (the controller there
reaches the ASM instance through its kubeconfig and needs nothing of this cluster's API).
*/}}
{{- define "asmpvl.rendersControllerAccess" -}}
{{- if and .Values.controller.enabled (ne .Values.asm.side "pods") }}true{{ end }}
{{- end }}

{{/* The subjects of the controller's RBAC bindings: its ServiceAccount, or on the ASM instance's side asm.controllerSubjects. */}}
{{- define "asmpvl.controllerSubjects" -}}
{{- if eq .Values.asm.side "apiserver" }}
{{- toYaml .Values.asm.controllerSubjects }}
{{- else }}
- kind: ServiceAccount
  name: {{ include "asmpvl.controllerName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
{{- end }}

{{/*
Refuses combinations of values the schema cannot express, with a message that says what to do.
Included by the webhook configurations, which every mode renders.
*/}}
{{- define "asmpvl.checkValues" -}}
{{- $side := .Values.asm.side }}
{{- if and (eq $side "apiserver") (not .Values.webhook.url) }}
{{- fail "asm.side=apiserver renders the webhook configurations for the ASM instance, which call the webhook pods by URL: set webhook.url to where they answer (https://<node address>:<webhook.service.nodePort>, or the load balancer's address) and webhook.caBundle to their CA" }}
{{- end }}
{{- if and (eq $side "apiserver") .Values.controller.enabled (not .Values.asm.controllerSubjects) }}
{{- fail "asm.side=apiserver with controller.enabled grants the controller's access in the ASM instance: set asm.controllerSubjects to the identity of the controller's kubeconfig there, e.g. [{kind: User, name: asmpvl-controller, apiGroup: rbac.authorization.k8s.io}]" }}
{{- end }}
{{- if and (eq $side "pods") .Values.controller.enabled (not .Values.controller.kubeconfig.secretName) }}
{{- fail "asm.side=pods with controller.enabled: the controller must reach the ASM instance's API server, where the ASMPvlConfig lives; set controller.kubeconfig.secretName to a Secret holding its kubeconfig" }}
{{- end }}
{{- if and .Values.webhook.tls.existingSecret .Values.certManager.enabled }}
{{- fail "webhook.tls.existingSecret and certManager.enabled exclude each other: the serving certificate comes from your Secret or from cert-manager, not both" }}
{{- end }}
{{- if and .Values.webhook.tls.existingSecret (include "asmpvl.rendersWebhookConfigurations" .) (not .Values.webhook.caBundle) }}
{{- fail "webhook.tls.existingSecret is set but webhook.caBundle is empty: give the base64 PEM of the CA that signed the certificate in that Secret (base64 -w0 ca.crt), which the webhook configurations trust" }}
{{- end }}
{{- if .Values.webhook.url }}
{{- if and (not .Values.webhook.caBundle) (ne $side "pods") }}
{{- fail "webhook.url is set but webhook.caBundle is empty: give the base64 PEM of the CA that signed the out-of-cluster webhook's certificate (base64 -w0 ca.crt)" }}
{{- end }}
{{- if and .Values.certManager.enabled (not $side) }}
{{- fail "certManager.enabled and webhook.url exclude each other: with webhook.url the webhook runs out of cluster with its own certificate, whose CA goes in webhook.caBundle" }}
{{- end }}
{{- else if and .Values.webhook.caBundle (not .Values.webhook.tls.existingSecret) (ne $side "pods") }}
{{- fail "webhook.caBundle is only used with webhook.url or webhook.tls.existingSecret; for the in-cluster webhook the chart (or cert-manager) provides the CA. Unset it, or set webhook.url" }}
{{- end }}
{{- if and .Values.webhook.caBundle (not (contains "-----BEGIN CERTIFICATE-----" (b64dec .Values.webhook.caBundle))) }}
{{- fail "webhook.caBundle does not decode to a PEM certificate: it must be the base64 of the CA's PEM file (base64 -w0 ca.crt), not the PEM itself" }}
{{- end }}
{{- with .Values.controller }}
{{- if and .enabled .credentials.secretName .rrsa.roleName }}
{{- fail "controller.credentials.secretName and controller.rrsa.roleName exclude each other: give the controller an AccessKey Secret or an RRSA role, not both" }}
{{- end }}
{{- end }}
{{- end }}

{{/* cert-manager's cainjector fills caBundle from the serving Certificate's Secret. */}}
{{- define "asmpvl.injectCAAnnotation" -}}
{{- if and .Values.certManager.enabled (not .Values.webhook.url) }}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace (include "asmpvl.webhookName" .) }}
{{- end }}
{{- end }}

{{/*
What the mutating and validating webhooks share. Takes a dict: root (the chart context), path
(/mutate or /validate) and caBundle (empty when cert-manager injects it).
The rules match asmpvlconfigs and nothing else, not even its status subresource, so a webhook
outage can never block any other write in the cluster (or the webhook's own pods).
*/}}
{{- define "asmpvl.admissionSettings" -}}
{{- $root := .root -}}
admissionReviewVersions:
  - v1
sideEffects: None
failurePolicy: {{ $root.Values.webhook.failurePolicy }}
matchPolicy: Equivalent
timeoutSeconds: {{ $root.Values.webhook.timeoutSeconds }}
rules:
  - operations:
      - CREATE
      - UPDATE
    apiGroups:
      - istio.alibabacloud.com
    apiVersions:
      - v1beta1
    resources:
      - asmpvlconfigs
    scope: Cluster
{{- /*
Only what a write changes is judged (the webhook's handlers decide the same): an UPDATE that leaves
the spec and the annotations standing for spec fields as stored, or touches an object being deleted
(a finalizer's removal), never reaches the webhook, so neither a rule tightened since nor a webhook
that is down can leave an object stuck.
*/}}
matchConditions:
  - name: not-being-deleted
    expression: "!has(object.metadata.deletionTimestamp)"
  - name: spec-changed
    expression: "request.operation != 'UPDATE' || has(object.spec) != has(oldObject.spec) || (has(object.spec) && object.spec != oldObject.spec) || object.metadata.?annotations[?'asmpvl.io/deletion-policy'] != oldObject.metadata.?annotations[?'asmpvl.io/deletion-policy'] || object.metadata.?annotations[?'asmpvl.io/san-sync'] != oldObject.metadata.?annotations[?'asmpvl.io/san-sync']"
clientConfig:
  {{- if $root.Values.webhook.url }}
  url: {{ printf "%s%s" (trimSuffix "/" $root.Values.webhook.url) .path | quote }}
  {{- else }}
  service:
    name: {{ include "asmpvl.webhookName" $root }}
    namespace: {{ $root.Release.Namespace }}
    port: 443
    path: {{ .path }}
  {{- end }}
  {{- with .caBundle }}
  caBundle: {{ . }}
  {{- end }}
{{- end }}
