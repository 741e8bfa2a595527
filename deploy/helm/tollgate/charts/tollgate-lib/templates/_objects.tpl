{{- define "tollgate-lib.serviceaccount" -}}
{{- if .c.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "tollgate-lib.serviceAccountName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
  {{- with .c.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{/* The component's Service: its public (API) port and its management port. */}}
{{- define "tollgate-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
  {{- with .c.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .c.service.type }}
  selector:
    {{- include "tollgate-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .c.ports.http }}
      targetPort: http
      protocol: TCP
    - name: management
      port: {{ .c.ports.management }}
      targetPort: management
      protocol: TCP
{{- end -}}

{{/* One data-plane Service per proxy node: a port lives on one node, so each node is addressed alone. */}}
{{- define "tollgate-lib.dataPlaneServices" -}}
{{- $ctx := . -}}
{{- $dp := .c.dataPlane -}}
{{- range $i := until (int .c.replicaCount) }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ printf "%s-%d-dataplane" (include "tollgate-lib.componentName" $ctx) $i | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "tollgate-lib.labels" $ctx | nindent 4 }}
    tollgate.io/proxy-node: {{ printf "%s-%d" (include "tollgate-lib.componentName" $ctx) $i | quote }}
  {{- with $dp.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $dp.serviceType }}
  {{- if ne $dp.serviceType "ClusterIP" }}
  externalTrafficPolicy: {{ $dp.externalTrafficPolicy }}
  {{- end }}
  selector:
    {{- include "tollgate-lib.selectorLabels" $ctx | nindent 4 }}
    statefulset.kubernetes.io/pod-name: {{ printf "%s-%d" (include "tollgate-lib.componentName" $ctx) $i }}
  ports:
    {{- if gt (int $dp.poolHttpPort) 0 }}
    - name: pool-http
      port: {{ $dp.poolHttpPort }}
      targetPort: {{ $dp.poolHttpPort }}
      protocol: TCP
    {{- end }}
    {{- if gt (int $dp.poolSocksPort) 0 }}
    - name: pool-socks
      port: {{ $dp.poolSocksPort }}
      targetPort: {{ $dp.poolSocksPort }}
      protocol: TCP
    {{- end }}
    {{- range $p := untilStep (int $dp.httpPorts.first) (int (add1 $dp.httpPorts.last)) 1 }}
    - name: {{ printf "http-%d" $p }}
      port: {{ $p }}
      targetPort: {{ $p }}
      protocol: TCP
    {{- end }}
    {{- range $p := untilStep (int $dp.socksPorts.first) (int (add1 $dp.socksPorts.last)) 1 }}
    - name: {{ printf "socks-%d" $p }}
      port: {{ $p }}
      targetPort: {{ $p }}
      protocol: TCP
    {{- end }}
{{- end }}
{{- end -}}

{{- define "tollgate-lib.pdb" -}}
{{- if .c.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
spec:
  {{- if hasKey .c.pdb "minAvailable" }}
  minAvailable: {{ .c.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .c.pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "tollgate-lib.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "tollgate-lib.hpa" -}}
{{- if .c.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {{ .c.kind }}
    name: {{ include "tollgate-lib.componentName" . }}
  minReplicas: {{ .c.autoscaling.minReplicas }}
  maxReplicas: {{ .c.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .c.autoscaling.targetCPUUtilizationPercentage }}
    {{- with .c.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
{{- end }}
{{- end -}}

{{- define "tollgate-lib.servicemonitor" -}}
{{- if .root.Values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "tollgate-lib.componentName" . }}
  labels:
    {{- include "tollgate-lib.labels" . | nindent 4 }}
    {{- with .root.Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "tollgate-lib.selectorLabels" . | nindent 6 }}
    matchExpressions:
      # the proxy nodes' data-plane Services carry no management port
      - key: tollgate.io/proxy-node
        operator: DoesNotExist
  endpoints:
    - port: management
      path: /q/metrics
      interval: {{ .root.Values.serviceMonitor.interval }}
{{- end }}
{{- end -}}
