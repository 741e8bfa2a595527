{{/*
The environment every component's container gets: the keys the chart wires from its structured
values (ports, database, Redis, Kafka, the peers' addresses, secrets). The `config` maps travel in
the component's ConfigMap instead (envFrom), so explicit entries here win over them.
*/}}

{{- define "tollgate-lib.secretRef" -}}
valueFrom:
  secretKeyRef:
    name: {{ include "tollgate-lib.secretName" .root }}
    key: {{ .key }}
    {{- if .optional }}
    optional: true
    {{- end }}
{{- end -}}

{{- define "tollgate-lib.urlOf" -}}
{{- $c := index .root.Values.services .key -}}
{{- $port := index $c.ports (default "http" .port) -}}
{{- printf "http://%s:%v" (include "tollgate-lib.componentNameOf" .) $port -}}
{{- end -}}

{{- define "tollgate-lib.env" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $v := $root.Values -}}
{{- $app := $c.app -}}
- name: QUARKUS_PROFILE
  value: {{ $v.quarkusProfile | quote }}
- name: QUARKUS_HTTP_HOST
  value: "0.0.0.0"
- name: QUARKUS_HTTP_PORT
  value: {{ $c.ports.http | quote }}
- name: QUARKUS_MANAGEMENT_HOST
  value: "0.0.0.0"
- name: QUARKUS_MANAGEMENT_PORT
  value: {{ $c.ports.management | quote }}
- name: JAVA_TOOL_OPTIONS
  value: {{ $c.javaToolOptions | quote }}
- name: TOLLGATE_PUBLIC_BASE_URL
  value: {{ required "publicBaseUrl is required" $v.publicBaseUrl | quote }}
- name: TOLLGATE_JWT_ISSUER
  value: {{ $v.jwt.issuer | quote }}
- name: MP_JWT_VERIFY_ISSUER
  value: {{ $v.jwt.issuer | quote }}
- name: TOLLGATE_JWT_AUDIENCE
  value: {{ $v.jwt.audience | quote }}
- name: MP_JWT_VERIFY_AUDIENCES
  value: {{ $v.jwt.audience | quote }}
{{- $identityUrl := include "tollgate-lib.urlOf" (dict "root" $root "key" "identity") }}
- name: TOLLGATE_IDENTITY_URL
  value: {{ $identityUrl | quote }}
- name: TOLLGATE_JWKS_URL
  value: {{ printf "%s/.well-known/jwks.json" $identityUrl | quote }}
- name: MP_JWT_VERIFY_PUBLICKEY_LOCATION
  value: {{ printf "%s/.well-known/jwks.json" $identityUrl | quote }}
{{- /* Kafka */}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required" $v.kafka.bootstrapServers | quote }}
- name: TOLLGATE_KAFKA_HOST
  value: {{ regexReplaceAll "^([^,:]*):.*$" $v.kafka.bootstrapServers "${1}" | quote }}
- name: TOLLGATE_KAFKA_PORT
  value: {{ regexReplaceAll "^[^,]*:([0-9]+).*$" $v.kafka.bootstrapServers "${1}" | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $v.kafka.securityProtocol | quote }}
{{- if hasPrefix "SASL_" $v.kafka.securityProtocol }}
- name: TOLLGATE_KAFKA_SASL_PASSWORD
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "kafka-sasl-password") | nindent 2 }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_JAAS_CONFIG
  {{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $v.kafka.sasl.mechanism "PLAIN") }}
  value: {{ printf "%s required username=\"%s\" password=\"$(TOLLGATE_KAFKA_SASL_PASSWORD)\";" $module $v.kafka.sasl.username | quote }}
{{- end }}
{{- if and (hasSuffix "SSL" $v.kafka.securityProtocol) $v.kafka.tls.caSecret }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ printf "/etc/tollgate/tls/kafka/%s" $v.kafka.tls.caKey | quote }}
{{- end }}
{{- /* Traces: exported over OTLP/HTTP when a collector is named (io.tollgate.kit.tracing.TraceExport) */}}
- name: TOLLGATE_TRACING_OTLP_ENDPOINT
  value: {{ $v.tracing.otlpEndpoint | quote }}
- name: TOLLGATE_TRACING_OTLP_TIMEOUT
  value: {{ $v.tracing.timeout | quote }}
- name: TOLLGATE_TRACING_OTLP_HEADERS
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "tracing-otlp-headers" "optional" true) | nindent 2 }}
- name: QUARKUS_OTEL_TRACES_SAMPLER_ARG
  value: {{ $v.tracing.sampleRatio | quote }}
{{- /* Redis */}}
{{- $redisScheme := ternary "rediss" "redis" $v.redis.tls.enabled }}
- name: QUARKUS_REDIS_HOSTS
  value: {{ printf "%s://%s:%v/%v" $redisScheme (required "redis.host is required" $v.redis.host) $v.redis.port $v.redis.database | quote }}
- name: TOLLGATE_REDIS_HOST
  value: {{ $v.redis.host | quote }}
- name: TOLLGATE_REDIS_PORT
  value: {{ $v.redis.port | quote }}
{{- with $v.redis.username }}
- name: QUARKUS_REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
- name: QUARKUS_REDIS_PASSWORD
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "redis-password" "optional" true) | nindent 2 }}
{{- if and $v.redis.tls.enabled $v.redis.tls.caSecret }}
- name: QUARKUS_REDIS_TLS_CONFIGURATION_NAME
  value: redis
- name: QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS
  value: {{ printf "/etc/tollgate/tls/redis/%s" $v.redis.tls.caKey | quote }}
{{- end }}
{{- /* PostgreSQL: the service's own database and role */}}
{{- with $c.database }}
{{- $pg := $v.postgresql }}
{{- $host := required "postgresql.host is required" $pg.host }}
{{- $jdbcParams := printf "sslmode=%s" $pg.tls.sslMode }}
{{- if $pg.tls.caSecret }}{{ $jdbcParams = printf "%s&sslrootcert=/etc/tollgate/tls/postgresql/%s" $jdbcParams $pg.tls.caKey }}{{ end }}
- name: TOLLGATE_PG_HOST
  value: {{ $host | quote }}
- name: TOLLGATE_PG_PORT
  value: {{ $pg.port | quote }}
- name: TOLLGATE_DB_NAME
  value: {{ .name | quote }}
- name: QUARKUS_DATASOURCE_USERNAME
  value: {{ .username | quote }}
- name: QUARKUS_DATASOURCE_PASSWORD
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" (printf "%s-db-password" $app)) | nindent 2 }}
- name: QUARKUS_DATASOURCE_REACTIVE_URL
  value: {{ printf "postgresql://%s:%v/%s" $host $pg.port .name | quote }}
- name: QUARKUS_DATASOURCE_JDBC_URL
  value: {{ printf "jdbc:postgresql://%s:%v/%s?%s" $host $pg.port .name $jdbcParams | quote }}
{{- $reactiveMode := $pg.tls.sslMode }}
{{- if has $pg.tls.sslMode (list "verify-ca" "verify-full") }}{{ $reactiveMode = "require" }}{{ end }}
- name: QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE
  value: {{ $reactiveMode | quote }}
{{- if eq $pg.tls.sslMode "verify-full" }}
- name: QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM
  value: HTTPS
{{- end }}
{{- if $pg.tls.caSecret }}
- name: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM
  value: "true"
- name: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS
  value: {{ printf "/etc/tollgate/tls/postgresql/%s" $pg.tls.caKey | quote }}
{{- end }}
{{- end }}
{{- /* Service-to-service: every service but identity gets tokens with its own secret */}}
{{- if ne $app "identity" }}
- name: TOLLGATE_SERVICE_CLIENT_SECRET
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" (printf "%s-client-secret" $app)) | nindent 2 }}
{{- end }}
{{- if eq $app "identity" }}
- name: TOLLGATE_IDENTITY_DATA_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "identity-data-key") | nindent 2 }}
- name: TOLLGATE_EVENTS_SEAL_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "events-seal-key") | nindent 2 }}
{{- range $client := list "gateway" "billing" "proxy" "render" "notification" }}
- name: {{ printf "TOLLGATE_IDENTITY_CLIENT_SECRETS_%s" (upper $client) }}
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" (printf "%s-client-secret" $client)) | nindent 2 }}
{{- end }}
{{- end }}
{{- if eq $app "billing" }}
- name: TOLLGATE_BILLING_PAGES_BASE_URL
  value: {{ $v.publicBaseUrl | quote }}
- name: TOLLGATE_BILLING_COINGATE_CALLBACK_URL
  value: {{ printf "%s/v1/billing/webhooks/coingate" $v.publicBaseUrl | quote }}
- name: TOLLGATE_PAGES_LINK_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "pages-link-key") | nindent 2 }}
- name: TOLLGATE_BILLING_STRIPE_SECRET_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "billing-stripe-secret-key") | nindent 2 }}
- name: TOLLGATE_BILLING_STRIPE_WEBHOOK_SECRET
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "billing-stripe-webhook-secret") | nindent 2 }}
- name: TOLLGATE_BILLING_YOOKASSA_SECRET_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "billing-yookassa-secret-key") | nindent 2 }}
- name: TOLLGATE_BILLING_COINGATE_API_TOKEN
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "billing-coingate-api-token") | nindent 2 }}
{{- end }}
{{- if eq $app "proxy" }}
- name: TOLLGATE_PROXY_BILLING_URL
  value: {{ include "tollgate-lib.urlOf" (dict "root" $root "key" "billing") | quote }}
- name: TOLLGATE_PROXY_DATA_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "proxy-data-key") | nindent 2 }}
{{- $dp := $c.dataPlane }}
{{- if $dp }}
- name: TOLLGATE_PROXY_DATAPLANE_ENABLED
  value: "true"
- name: TOLLGATE_PROXY_NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: TOLLGATE_POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: TOLLGATE_PROXY_NODE_IP
  {{- if eq (len $dp.advertisedAddresses) 1 }}
  value: {{ first $dp.advertisedAddresses | quote }}
  {{- else }}
  value: "$(TOLLGATE_POD_IP)"
  {{- end }}
- name: TOLLGATE_PROXY_DATAPLANE_BIND_HOST
  value: "0.0.0.0"
- name: TOLLGATE_PROXY_NODE_HTTP_PORTS
  value: {{ printf "%v-%v" $dp.httpPorts.first $dp.httpPorts.last | quote }}
- name: TOLLGATE_PROXY_NODE_SOCKS_PORTS
  value: {{ printf "%v-%v" $dp.socksPorts.first $dp.socksPorts.last | quote }}
- name: TOLLGATE_PROXY_POOL_HTTP_PORT
  value: {{ $dp.poolHttpPort | quote }}
- name: TOLLGATE_PROXY_POOL_SOCKS_PORT
  value: {{ $dp.poolSocksPort | quote }}
{{- else }}
{{- /* The API instances open no listeners: the nodes do. */}}
- name: TOLLGATE_PROXY_DATAPLANE_ENABLED
  value: "false"
{{- /* Devices that register without naming a node join the first node. */}}
- name: TOLLGATE_PROXY_NODE_NAME
  value: {{ printf "%s-0" (include "tollgate-lib.componentNameOf" (dict "root" $root "key" "proxyNode")) | quote }}
- name: TOLLGATE_PROXY_NODE_IP
  value: {{ default "127.0.0.1" (first $v.services.proxyNode.dataPlane.advertisedAddresses) | quote }}
- name: TOLLGATE_PROXY_DATAPLANE_BIND_HOST
  value: "127.0.0.1"
- name: TOLLGATE_PROXY_NODE_HTTP_PORTS
  value: {{ printf "%v-%v" $v.services.proxyNode.dataPlane.httpPorts.first $v.services.proxyNode.dataPlane.httpPorts.last | quote }}
- name: TOLLGATE_PROXY_NODE_SOCKS_PORTS
  value: {{ printf "%v-%v" $v.services.proxyNode.dataPlane.socksPorts.first $v.services.proxyNode.dataPlane.socksPorts.last | quote }}
- name: TOLLGATE_PROXY_POOL_HTTP_PORT
  value: "0"
- name: TOLLGATE_PROXY_POOL_SOCKS_PORT
  value: "0"
{{- end }}
{{- end }}
{{- if eq $app "render" }}
- name: TOLLGATE_RENDER_BILLING_URL
  value: {{ include "tollgate-lib.urlOf" (dict "root" $root "key" "billing") | quote }}
- name: TOLLGATE_RENDER_ASSETS_DIR
  value: /var/lib/tollgate/render-assets
- name: TOLLGATE_RENDER_DATA_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "render-data-key") | nindent 2 }}
- name: TOLLGATE_RENDER_ASSETS_SIGNING_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "render-assets-signing-key") | nindent 2 }}
- name: TOLLGATE_RENDER_ASSETS_S3_ACCESS_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "render-s3-access-key" "optional" true) | nindent 2 }}
- name: TOLLGATE_RENDER_ASSETS_S3_SECRET_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "render-s3-secret-key" "optional" true) | nindent 2 }}
{{- range $name, $p := $c.providers }}
{{- $prefix := printf "TOLLGATE_RENDER_PROVIDERS_%s" (upper $name) }}
- name: {{ $prefix }}_TYPE
  value: {{ default "fal" $p.type | quote }}
- name: {{ $prefix }}_URL
  value: {{ required (printf "services.render.providers.%s.url is required" $name) $p.url | quote }}
- name: {{ $prefix }}_DISPLAY_NAME
  value: {{ default $name $p.displayName | quote }}
- name: {{ $prefix }}_PRIORITY
  value: {{ default 100 $p.priority | quote }}
- name: {{ $prefix }}_ENABLED
  value: {{ ternary "true" "false" (ne $p.enabled false) | quote }}
- name: {{ $prefix }}_API_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" (printf "render-provider-%s-api-key" $name) "optional" true) | nindent 2 }}
{{- with $p.callbackJwksUrl }}
- name: {{ $prefix }}_CALLBACK_JWKS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $p.catalogUrl }}
- name: {{ $prefix }}_CATALOG_URL
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq $app "notification" }}
- name: TOLLGATE_NOTIFICATION_DATA_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "notification-data-key") | nindent 2 }}
- name: TOLLGATE_NOTIFICATION_UNSUBSCRIBE_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "notification-unsubscribe-key") | nindent 2 }}
- name: TOLLGATE_PAGES_LINK_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "pages-link-key") | nindent 2 }}
- name: TOLLGATE_EVENTS_SEAL_KEY
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "events-seal-key") | nindent 2 }}
- name: QUARKUS_MAILER_HOST
  value: {{ $v.smtp.host | quote }}
- name: QUARKUS_MAILER_PORT
  value: {{ $v.smtp.port | quote }}
- name: QUARKUS_MAILER_FROM
  value: {{ $v.smtp.from | quote }}
- name: QUARKUS_MAILER_START_TLS
  value: {{ $v.smtp.startTls | quote }}
- name: QUARKUS_MAILER_LOGIN
  value: {{ $v.smtp.login | quote }}
{{- with $v.smtp.username }}
- name: QUARKUS_MAILER_USERNAME
  value: {{ . | quote }}
{{- end }}
- name: QUARKUS_MAILER_PASSWORD
  {{- include "tollgate-lib.secretRef" (dict "root" $root "key" "smtp-password" "optional" true) | nindent 2 }}
{{- end }}
{{- if eq $app "gateway" }}
{{- range $upstream := list "identity" "billing" "proxy" "render" "notification" }}
- name: {{ printf "TOLLGATE_UPSTREAM_%s_URL" (upper $upstream) }}
  value: {{ include "tollgate-lib.urlOf" (dict "root" $root "key" $upstream) | quote }}
- name: {{ printf "TOLLGATE_UPSTREAM_%s_MANAGEMENT_URL" (upper $upstream) }}
  value: {{ include "tollgate-lib.urlOf" (dict "root" $root "key" $upstream "port" "management") | quote }}
{{- end }}
{{- end }}
{{- with $c.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
