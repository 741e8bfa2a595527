{{/*
One NetworkPolicy per component, ingress and egress: the gateway's public port admits the public,
every other port admits only the components that call it, and each component reaches only DNS,
its dependencies and the peers it calls.
*/}}

{{- define "tollgate-lib.peerOf" -}}
- podSelector:
    matchLabels:
      {{- include "tollgate-lib.selectorLabelsOf" . | nindent 6 }}
{{- end -}}

{{- define "tollgate-lib.anyTollgatePod" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ include "tollgate-lib.name" .root }}
      app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* An egress rule to a dependency: its peers (or anywhere) on its ports. */}}
{{- define "tollgate-lib.egressTo" -}}
- ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with .peers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "tollgate-lib.kafkaPorts" -}}
{{- $ports := list -}}
{{- range $server := splitList "," .Values.kafka.bootstrapServers -}}
{{- $port := regexReplaceAll "^.*:([0-9]+)$" (trim $server) "${1}" -}}
{{- if not (has $port $ports) }}{{ $ports = append $ports $port }}{{ end -}}
{{- end -}}
{{- toJson $ports -}}
{{- end -}}

{{- define "tollgate-lib.networkpolicy" -}}
{{- if .root.Values.networkPolicy.enabled }}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $v := $root.Values -}}
{{- $np := $v.networkPolicy -}}
{{- $key := .key -}}
{{- $callers := dict "identity" (list "*") "billing" (list "gateway" "render" "proxy" "proxyNode") "proxy" (list "gateway") "render" (list "gateway") "notification" (list "gateway") "gateway" (list) "proxyNode" (list) -}}
{{- $calls := dict "identity" (list) "billing" (list "identity") "proxy" (list "identity" "billing") "proxyNode" (list "identity" "billing") "render" (list "identity" "billing") "notification" (list "identity") "gateway" (list "identity" "billing" "proxy" "render" "notification") -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "tollgate-lib.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if eq $key "gateway" }}
    # the public entry
    - ports:
        - protocol: TCP
          port: {{ $c.ports.http }}
      {{- with $np.gatewayFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- else if index $callers $key }}
    - ports:
        - protocol: TCP
          port: {{ $c.ports.http }}
      from:
        {{- range $caller := index $callers $key }}
        {{- if eq $caller "*" }}
        {{- include "tollgate-lib.anyTollgatePod" (dict "root" $root) | nindent 8 }}
        {{- else if (index $v.services $caller).enabled }}
        {{- include "tollgate-lib.peerOf" (dict "root" $root "key" $caller) | nindent 8 }}
        {{- end }}
        {{- end }}
    {{- end }}
    # health, metrics and OpenAPI: the gateway merges the documents, Prometheus scrapes
    - ports:
        - protocol: TCP
          port: {{ $c.ports.management }}
      from:
        {{- include "tollgate-lib.peerOf" (dict "root" $root "key" "gateway") | nindent 8 }}
        {{- with $np.metricsFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with $c.dataPlane }}
    # the data plane: pool entry and per-port listeners
    - ports:
        {{- if gt (int .poolHttpPort) 0 }}
        - protocol: TCP
          port: {{ .poolHttpPort }}
        {{- end }}
        {{- if gt (int .poolSocksPort) 0 }}
        - protocol: TCP
          port: {{ .poolSocksPort }}
        {{- end }}
        - protocol: TCP
          port: {{ .httpPorts.first }}
          endPort: {{ .httpPorts.last }}
        - protocol: TCP
          port: {{ .socksPorts.first }}
          endPort: {{ .socksPorts.last }}
      {{- with $c.networkPolicy.dataPlaneFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- with $c.networkPolicy.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    # DNS
    - ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
      {{- with $np.dnsTo }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if $c.database }}
    {{- include "tollgate-lib.egressTo" (dict "ports" (list $v.postgresql.port) "peers" $v.postgresql.networkPolicyPeers) | nindent 4 }}
    {{- end }}
    {{- include "tollgate-lib.egressTo" (dict "ports" (list $v.redis.port) "peers" $v.redis.networkPolicyPeers) | nindent 4 }}
    {{- include "tollgate-lib.egressTo" (dict "ports" (include "tollgate-lib.kafkaPorts" $root | fromJsonArray) "peers" $v.kafka.networkPolicyPeers) | nindent 4 }}
    {{- with $v.tracing.otlpEndpoint }}
    # the OpenTelemetry collector
    {{- $port := regexReplaceAll "^[a-z]+://[^/:]+:([0-9]+).*$" . "${1}" }}
    {{- if not (regexMatch "^[0-9]+$" $port) }}{{ $port = ternary "443" "80" (hasPrefix "https:" .) }}{{ end }}
    {{- include "tollgate-lib.egressTo" (dict "ports" (list $port) "peers" $v.tracing.networkPolicyPeers) | nindent 4 }}
    {{- end }}
    {{- range $peer := index $calls $key }}
    {{- $pc := index $v.services $peer }}
    {{- if $pc.enabled }}
    - ports:
        - protocol: TCP
          port: {{ $pc.ports.http }}
        {{- if eq $key "gateway" }}
        - protocol: TCP
          port: {{ $pc.ports.management }}
        {{- end }}
      to:
        {{- include "tollgate-lib.peerOf" (dict "root" $root "key" $peer) | nindent 8 }}
    {{- end }}
    {{- end }}
    {{- if has $key (list "billing" "render" "notification") }}
    # third parties: payment providers, remote render providers and S3, partners' webhooks
    - ports:
        - protocol: TCP
          port: 443
        {{- if eq $key "notification" }}
        - protocol: TCP
          port: 80
        {{- end }}
      {{- with $np.internetTo }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- if eq $key "notification" }}
    # the SMTP server
    - ports:
        - protocol: TCP
          port: {{ $v.smtp.port }}
    {{- end }}
    {{- if and (eq $key "identity") (index (include "tollgate-lib.config" . | fromYaml) "tollgate.identity.dns-server") }}
    # the DNS server tenants' TXT records are looked up at
    - ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    {{- end }}
    {{- with $c.networkPolicy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}
