package io.tollgate.kit.tracing;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where finished spans go: to an OpenTelemetry collector over OTLP/HTTP (protobuf) when
 * {@code tollgate.tracing.otlp-endpoint} names one (the collector's base address, as
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}: {@code /v1/traces} is appended unless given), nowhere
 * otherwise, which is the default: locally there is no collector and nothing tries to reach one.
 * Tracing itself stays on either way (trace ids in the logs, the context handed on to every
 * service and through Kafka). The exporter is chosen when the service starts, so one image serves
 * both; {@code tollgate.tracing.otlp-headers} ({@code name=value} pairs, for a collector that wants a
 * key) and {@code tollgate.tracing.otlp-timeout} complete it.
 *
 * <p>Quarkus' own OTLP exporter reads its endpoint at run time too, but always falls back to
 * {@code localhost:4317} when none is set, and so cannot be turned off without rebuilding; with
 * this exporter as a CDI bean, Quarkus sets its own aside.
 */
@Singleton
public class TraceExport {

    private static final Logger LOG = Logger.getLogger(TraceExport.class);

    @Produces
    @Singleton
    SpanExporter spanExporter(@ConfigProperty(name = "tollgate.tracing.otlp-endpoint") Optional<String> endpoint,
                              @ConfigProperty(name = "tollgate.tracing.otlp-headers") Optional<List<String>> headers,
                              @ConfigProperty(name = "tollgate.tracing.otlp-timeout", defaultValue = "10s") Duration timeout) {
        if (endpoint.isEmpty() || endpoint.get().isBlank()) {
            return SpanExporter.composite();
        }
        String url = tracesUrl(endpoint.get());
        OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder().setEndpoint(url).setTimeout(timeout);
        for (String header : headers.orElse(List.of())) {
            int eq = header.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("tollgate.tracing.otlp-headers takes name=value pairs, not " + header);
            }
            builder.addHeader(header.substring(0, eq).trim(), header.substring(eq + 1).trim());
        }
        LOG.infof("tracing: spans are exported over OTLP/HTTP to %s", url);
        return builder.build();
    }

    static String tracesUrl(String endpoint) {
        String base = endpoint.trim();
        if (base.endsWith("/v1/traces")) {
            return base;
        }
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
    }
}
