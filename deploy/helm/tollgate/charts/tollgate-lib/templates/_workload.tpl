{{/* The merged `config` of a component: shared keys, its service's keys, then its own. */}}
{{- define "tollgate-lib.config" -}}
{{- $main := index .root.Values.services .c.app -}}
{{- $merged := deepCopy (default dict .root.Values.config) -}}
{{- $merged = mergeOverwrite $merged (deepCopy (default dict $main.config)) -}}
{{- $merged = mergeOverwrite $merged (deepCopy (default dict .c.config)) -}}
{{- toYaml $merged -}}
{{- end -}}

{{- define "tollgate-lib.configmap" -}}
{{- $config := include "tollgate-lib.config" . | fromYaml -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
data:
  {{- range $key := keys $config | sortAlpha }}
  {{ include "tollgate-lib.envName" $key }}: {{ index $config $key | toString | quote }}
  {{- end }}
{{- end -}}

{{- define "tollgate-lib.probe" -}}
httpGet:
  path: {{ .path }}
  port: management
periodSeconds: {{ .p.periodSeconds }}
timeoutSeconds: {{ .p.timeoutSeconds }}
failureThreshold: {{ .p.failureThreshold }}
{{- end -}}

{{- define "tollgate-lib.workload" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $d := $root.Values.defaults -}}
{{- $v := $root.Values -}}
{{- $stateful := eq $c.kind "StatefulSet" -}}
apiVersion: apps/v1
kind: {{ $c.kind }}
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
spec:
  {{- if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicaCount }}
  {{- end }}
  {{- if $stateful }}
  serviceName: {{ include "tollgate-lib.componentName" . }}
  podManagementPolicy: Parallel
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "tollgate-lib.selectorLabels" . | nindent 6 }}
  {{- if not $stateful }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "tollgate-lib.labels" . | nindent 8 }}
        {{- with $c.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # A change of configuration or of the chart's secrets rolls the pods.
        checksum/config: {{ include "tollgate-lib.configmap" . | sha256sum }}
        {{- if not $v.secrets.existingSecret }}
        checksum/secrets: {{ include "tollgate-lib.secretData" $root | sha256sum }}
        {{- end }}
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "tollgate-lib.serviceAccountName" . }}
      automountServiceAccountToken: false
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      securityContext:
        {{- toYaml (default $d.podSecurityContext $c.podSecurityContext) | nindent 8 }}
      {{- with $c.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ default $d.terminationGracePeriodSeconds $c.terminationGracePeriodSeconds }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- range . }}
        - {{- toYaml (omit . "labelSelector") | nindent 10 }}
          labelSelector:
            {{- if .labelSelector }}
            {{- toYaml .labelSelector | nindent 12 }}
            {{- else }}
            matchLabels:
              {{- include "tollgate-lib.selectorLabels" $ | nindent 14 }}
            {{- end }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ $c.app }}
          image: {{ include "tollgate-lib.image" . }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          securityContext:
            {{- toYaml (default $d.containerSecurityContext $c.containerSecurityContext) | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $c.ports.http }}
              protocol: TCP
            - name: management
              containerPort: {{ $c.ports.management }}
              protocol: TCP
            {{- with $c.dataPlane }}
            {{- if gt (int .poolHttpPort) 0 }}
            - name: pool-http
              containerPort: {{ .poolHttpPort }}
              protocol: TCP
            {{- end }}
            {{- if gt (int .poolSocksPort) 0 }}
            - name: pool-socks
              containerPort: {{ .poolSocksPort }}
              protocol: TCP
            {{- end }}
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "tollgate-lib.componentName" . }}
          env:
            {{- include "tollgate-lib.env" . | nindent 12 }}
          startupProbe:
            {{- include "tollgate-lib.probe" (dict "path" "/q/health/started" "p" (default $d.startupProbe $c.startupProbe)) | nindent 12 }}
          livenessProbe:
            {{- include "tollgate-lib.probe" (dict "path" "/q/health/live" "p" (default $d.livenessProbe $c.livenessProbe)) | nindent 12 }}
          readinessProbe:
            {{- include "tollgate-lib.probe" (dict "path" "/q/health/ready" "p" (default $d.readinessProbe $c.readinessProbe)) | nindent 12 }}
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if eq $c.app "render" }}
            - name: assets
              mountPath: /var/lib/tollgate/render-assets
            {{- end }}
            {{- if and $c.database $v.postgresql.tls.caSecret }}
            - name: tls-postgresql
              mountPath: /etc/tollgate/tls/postgresql
              readOnly: true
            {{- end }}
            {{- if and $v.redis.tls.enabled $v.redis.tls.caSecret }}
            - name: tls-redis
              mountPath: /etc/tollgate/tls/redis
              readOnly: true
            {{- end }}
            {{- if and (hasSuffix "SSL" $v.kafka.securityProtocol) $v.kafka.tls.caSecret }}
            - name: tls-kafka
              mountPath: /etc/tollgate/tls/kafka
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $d.tmpSizeLimit }}
        {{- if eq $c.app "render" }}
        - name: assets
          emptyDir:
            sizeLimit: {{ $c.assetsSizeLimit }}
        {{- end }}
        {{- if and $c.database $v.postgresql.tls.caSecret }}
        - name: tls-postgresql
          secret:
            secretName: {{ $v.postgresql.tls.caSecret }}
        {{- end }}
        {{- if and $v.redis.tls.enabled $v.redis.tls.caSecret }}
        - name: tls-redis
          secret:
            secretName: {{ $v.redis.tls.caSecret }}
        {{- end }}
        {{- if and (hasSuffix "SSL" $v.kafka.securityProtocol) $v.kafka.tls.caSecret }}
        - name: tls-kafka
          secret:
            secretName: {{ $v.kafka.tls.caSecret }}
        {{- end }}
{{- end -}}
