package io.tollgate.kit.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.tollgate.kit.web.RequestId;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.MDC;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One trace from a request through the outbox, Kafka and the consumers. An append records the
 * W3C {@code traceparent} of the span current in the writing transaction (and the request id);
 * the relay publishes each event in a PRODUCER span that continues that trace and puts its own
 * context on the event as the CloudEvents distributed-tracing extension {@code traceparent}
 * (Kafka header {@code ce_traceparent}), beside {@code requestid} ({@code ce_requestid}); a consumer
 * applies the event in a CONSUMER span that continues from there, so the SQL of its handler, and
 * the events that handler appends in turn, belong to the same trace. Span names and attributes
 * follow OpenTelemetry's messaging conventions ({@code send <topic>}, {@code process <topic>}).
 */
@ApplicationScoped
public class EventTracing {

    /** CloudEvents extension names (lower-case letters and digits only). */
    public static final String TRACEPARENT = "traceparent";
    public static final String REQUEST_ID = "requestid";
    /** The span attribute that carries our request id on every span that knows it. */
    public static final String REQUEST_ID_ATTRIBUTE = "tollgate.request_id";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;

    public EventTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.tollgate.kit");
    }

    /** The {@code traceparent} of the span current here, or null outside any (valid) span. */
    public static String currentTraceparent() {
        return traceparentOf(Context.current());
    }

    /** The request id current here (the logging MDC, which Quarkus keeps per request), or null. */
    public static String currentRequestId() {
        Object id = MDC.get(RequestId.MDC_KEY);
        return id == null ? null : id.toString();
    }

    private static String traceparentOf(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(context, carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    private static Context parent(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3C.extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP);
    }

    /**
     * Starts the PRODUCER span of one outbox row's publication, continuing the trace the row was
     * written in (a new trace for a row written outside any span). The caller ends it.
     */
    public Span startSend(String topic, String eventId, String type, String key, String traceparent, String requestId) {
        var builder = tracer.spanBuilder("send " + topic)
                .setParent(parent(traceparent))
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.destination.name", topic)
                .setAttribute("messaging.message.id", eventId)
                .setAttribute("messaging.kafka.message.key", key)
                .setAttribute("cloudevents.event_type", type);
        if (requestId != null) {
            builder.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
        }
        return builder.startSpan();
    }

    /** The {@code traceparent} to put on the event published in {@code span}. */
    public static String traceparentOf(Span span) {
        return traceparentOf(Context.root().with(span));
    }

    /**
     * Starts the CONSUMER span in which {@code consumer} applies the event of {@code record},
     * continuing from the {@code ce_traceparent} its producer put on it. The caller ends it.
     */
    public Span startProcess(String consumer, ConsumerRecord<String, byte[]> record, String eventId, String type) {
        String requestId = header(record, "ce_" + REQUEST_ID);
        var builder = tracer.spanBuilder("process " + record.topic())
                .setParent(parent(header(record, "ce_" + TRACEPARENT)))
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.destination.partition.id", Integer.toString(record.partition()))
                .setAttribute("messaging.consumer.group.name", consumer)
                .setAttribute("messaging.kafka.offset", record.offset())
                .setAttribute("messaging.message.id", eventId)
                .setAttribute("cloudevents.event_type", type);
        if (record.key() != null) {
            builder.setAttribute("messaging.kafka.message.key", record.key());
        }
        if (requestId != null) {
            builder.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
        }
        return builder.startSpan();
    }

    /** The request id the producer put on {@code record} ({@code ce_requestid}), or null. */
    public static String requestIdOf(ConsumerRecord<String, byte[]> record) {
        return header(record, "ce_" + REQUEST_ID);
    }

    /** Marks {@code span} failed with {@code error}. */
    public static void failed(Span span, Throwable error) {
        span.recordException(error);
        span.setStatus(StatusCode.ERROR, error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage());
    }

    /** Sets our request id on the span current here (the server span of an HTTP request). */
    public static void tagRequest(String requestId) {
        Span.current().setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Puts a trace on a call made with the JDK's HTTP client (which OpenTelemetry does not instrument,
     * unlike Vert.x' clients), so that the service called continues it. Take {@code traceparent}
     * ({@link #currentTraceparent()}) where the work is current, before any asynchronous step.
     */
    public static java.net.http.HttpRequest.Builder propagate(java.net.http.HttpRequest.Builder request, String traceparent) {
        return traceparent == null ? request : request.header(TRACEPARENT, traceparent);
    }
}
