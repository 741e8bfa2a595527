{{/*
Names and labels. Every template of this library takes one context, a dict:
  root  the umbrella chart's top-level context ($)
  key   the component's key under .Values.services (identity, proxyNode, ...)
  c     that component's values
*/}}

{{- define "tollgate-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tollgate-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "tollgate-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of one component's objects: <fullname>-<component>. */}}
{{- define "tollgate-lib.componentName" -}}
{{- printf "%s-%s" (include "tollgate-lib.fullname" .root) .c.component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The same name for a component given by its key (used where one component names another). */}}
{{- define "tollgate-lib.componentNameOf" -}}
{{- $c := index .root.Values.services .key -}}
{{- printf "%s-%s" (include "tollgate-lib.fullname" .root) $c.component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tollgate-lib.commonLabels" -}}
helm.sh/chart: {{ include "tollgate-lib.chart" . }}
app.kubernetes.io/name: {{ include "tollgate-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tollgate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "tollgate-lib.labels" -}}
{{ include "tollgate-lib.commonLabels" .root }}
app.kubernetes.io/component: {{ .c.component }}
{{- end -}}

{{- define "tollgate-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate-lib.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .c.component }}
{{- end -}}

{{/* Selector labels of another component, by key. */}}
{{- define "tollgate-lib.selectorLabelsOf" -}}
{{- $c := index .root.Values.services .key -}}
app.kubernetes.io/name: {{ include "tollgate-lib.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ $c.component }}
{{- end -}}

{{- define "tollgate-lib.serviceAccountName" -}}
{{- if .c.serviceAccount.create -}}
{{- default (include "tollgate-lib.componentName" .) .c.serviceAccount.name -}}
{{- else -}}
{{- default "default" .c.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* registry/repository:tag@digest; a digest alone pins the image. */}}
{{- define "tollgate-lib.image" -}}
{{- $g := .root.Values.image -}}
{{- $i := .c.image -}}
{{- $registry := default $g.registry $i.registry -}}
{{- if .root.Values.global.imageRegistry }}{{ $registry = .root.Values.global.imageRegistry }}{{ end -}}
{{- $repository := $i.repository -}}
{{- $tag := default (default .root.Chart.AppVersion $g.tag) $i.tag -}}
{{- $digest := default $g.digest $i.digest -}}
{{- $ref := $repository -}}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $repository }}{{ end -}}
{{- if $digest -}}
{{- printf "%s@%s" $ref $digest -}}
{{- else -}}
{{- printf "%s:%s" $ref $tag -}}
{{- end -}}
{{- end -}}

{{/* The one Secret every component reads: the chart's own or the operator's. */}}
{{- define "tollgate-lib.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "tollgate-lib.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* MicroProfile Config's environment form of a property: every non-alphanumeric to _, upper case. */}}
{{- define "tollgate-lib.envName" -}}
{{- regexReplaceAll "[^A-Za-z0-9]" . "_" | upper -}}
{{- end -}}
