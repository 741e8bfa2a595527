package io.tollgate.gateway.web;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The W3C trace context of a request at the gateway, as OpenTelemetry holds it: the server span
 * that quarkus-opentelemetry opened for the request continues the caller's {@code traceparent} (or
 * starts a trace when there is none or it is malformed), and the upstream receives that span as its
 * parent. The upstream client is not traced on its own (a span per proxied request would cost more
 * than it tells: the upstream's server span starts the same moment), so the gateway sets the header.
 */
public record Trace(String traceId, String traceparent) {

    /** The current server span's trace; without one (tracing turned off) the caller's header goes on unchanged. */
    public static Trace current(String callerTraceparent) {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) {
            return new Trace(null, callerTraceparent);
        }
        return new Trace(span.getTraceId(),
                "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex());
    }
}
