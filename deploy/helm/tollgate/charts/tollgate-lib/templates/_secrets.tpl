{{/*
The chart's Secret (when no existingSecret is named). A given value wins; else the value the
Secret already holds in the cluster; else, for keys the chart may make up, a random one. Keys
kept this way survive upgrades, so encrypted data stays readable.
*/}}

{{- define "tollgate-lib.generatedSecretKeys" -}}
{{- list "identity-data-key" "proxy-data-key" "render-data-key" "notification-data-key" "events-seal-key" "pages-link-key" "notification-unsubscribe-key" "render-assets-signing-key" "gateway-client-secret" "billing-client-secret" "proxy-client-secret" "render-client-secret" "notification-client-secret" | toJson -}}
{{- end -}}

{{- define "tollgate-lib.givenSecretKeys" -}}
{{- list "identity-db-password" "billing-db-password" "proxy-db-password" "render-db-password" "notification-db-password" "billing-stripe-secret-key" "billing-stripe-webhook-secret" "billing-yookassa-secret-key" "billing-coingate-api-token" | toJson -}}
{{- end -}}

{{- define "tollgate-lib.secretData" -}}
{{- $given := default dict .Values.secrets.values -}}
{{- $existing := dict -}}
{{- if .Values.secrets.keepExisting -}}
{{- with (lookup "v1" "Secret" .Release.Namespace (include "tollgate-lib.secretName" .)) -}}
{{- $existing = default dict .data -}}
{{- end -}}
{{- end -}}
{{- $data := dict -}}
{{- range $key := include "tollgate-lib.generatedSecretKeys" . | fromJsonArray -}}
{{- if index $given $key -}}
{{- $_ := set $data $key (index $given $key | toString | b64enc) -}}
{{- else if index $existing $key -}}
{{- $_ := set $data $key (index $existing $key) -}}
{{- else -}}
{{- $_ := set $data $key (randAlphaNum 32 | b64enc | b64enc) -}}
{{- end -}}
{{- end -}}
{{- range $key, $value := $given -}}
{{- if and $value (not (hasKey $data $key)) -}}
{{- $_ := set $data $key ($value | toString | b64enc) -}}
{{- end -}}
{{- end -}}
{{- range $key, $value := $existing -}}
{{- if not (hasKey $data $key) -}}
{{- $_ := set $data $key $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{- define "tollgate-lib.secret" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "tollgate-lib.secretName" . }}
  labels:
    {{- include "tollgate-lib.commonLabels" . | nindent 4 }}
  annotations:
    # Generated keys encrypt data at rest: never let an uninstall throw them away.
    helm.sh/resource-policy: keep
type: Opaque
data:
  {{- include "tollgate-lib.secretData" . | nindent 2 }}
{{- end -}}

{{/* Secret keys a component needs that the chart's Secret does not have (for NOTES.txt). */}}
{{- define "tollgate-lib.missingSecretKeys" -}}
{{- $given := default dict .Values.secrets.values -}}
{{- $missing := list -}}
{{- range $key := include "tollgate-lib.givenSecretKeys" . | fromJsonArray -}}
{{- if not (index $given $key) -}}
{{- $missing = append $missing $key -}}
{{- end -}}
{{- end -}}
{{- join ", " $missing -}}
{{- end -}}
