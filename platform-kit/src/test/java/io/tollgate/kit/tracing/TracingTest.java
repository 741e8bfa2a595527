package io.tollgate.kit.tracing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventConsumers;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.probe.ProbeRecorded;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.web.RequestId;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One trace from an HTTP request through the outbox, Kafka and a consumer, and on into the event
 * that consumer appends: the spans come from the service's real OpenTelemetry SDK into an in-memory
 * exporter, the record from the real broker.
 */
@QuarkusTest
class TracingTest {

    /** The tests' exporter, beside the kit's own (which exports nowhere here). */
    @Singleton
    static class Spans {
        final InMemorySpanExporter exporter = InMemorySpanExporter.create();

        @Produces
        @Singleton
        InMemorySpanExporter exporter() {
            return exporter;
        }
    }

    private final EventConsumers consumers;
    private final Outbox outbox;
    private final Pool pool;
    private final ObjectMapper json;
    private final InMemorySpanExporter spans;

    TracingTest(EventConsumers consumers, Outbox outbox, Pool pool, ObjectMapper json, InMemorySpanExporter spans) {
        this.consumers = consumers;
        this.outbox = outbox;
        this.pool = pool;
        this.json = json;
        this.spans = spans;
    }

    /** What the handler saw while applying the record of {@code name}: its current span and request id. */
    record Seen(String traceId, String spanId, String requestId) {
    }

    /** Applies the probe's events; for the one of {@code name} it notes what is current and appends a follow-up. */
    final class Handler implements EventHandler {
        final String consumer = "kit.tracing-test." + UUID.randomUUID();
        final String name;
        final Map<String, Seen> seen = new ConcurrentHashMap<>();

        Handler(String name) {
            this.name = name;
        }

        @Override
        public String consumer() {
            return consumer;
        }

        @Override
        public Set<String> topics() {
            return Set.of(ProbeRecorded.TOPIC);
        }

        @Override
        public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
            ProbeRecorded recorded = event.data(json, ProbeRecorded.class);
            if (!name.equals(recorded.name())) {
                return Uni.createFrom().voidItem();
            }
            var context = Span.current().getSpanContext();
            Object requestId = MDC.get(RequestId.MDC_KEY);
            seen.put(event.id(), new Seen(context.getTraceId(), context.getSpanId(), requestId == null ? null : requestId.toString()));
            return outbox.append(tx, "follow-up/" + recorded.recordId(), "records/" + recorded.recordId(),
                    new ProbeRecorded(recorded.recordId(), name + "-follow-up", 0)).replaceWithVoid();
        }
    }

    @Test
    void a_request_its_event_the_publication_and_the_consumer_are_one_trace() throws Exception {
        String trace = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = "00f067aa0ba902b7";
        String requestId = "trace-test-" + UUID.randomUUID();
        String name = "traced-" + UUID.randomUUID();
        Handler handler = new Handler(name);
        consumers.start(handler);
        try (KafkaProbe kafka = new KafkaProbe(KafkaProbe.bootstrap(), ProbeRecorded.TOPIC)) {
            String id = given().contentType("application/json").header("traceparent", "00-" + trace + "-" + callerSpan + "-01")
                    .header(RequestId.HEADER, requestId).body(Map.of("name", name, "amount_minor", 7))
                    .post("/probe/records").then().statusCode(201).extract().path("id");

            // the request's server span continues the caller's trace and carries the request id
            SpanData server = await(() -> one(trace, s -> s.getKind() == SpanKind.SERVER), "the request's server span");
            assertEquals(callerSpan, server.getParentSpanId());
            assertEquals(requestId, server.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                    EventTracing.REQUEST_ID_ATTRIBUTE)));

            // the outbox row remembers the trace and the request it was written in
            var row = pool.preparedQuery("select id, traceparent, request_id from outbox where aggregate_id = $1")
                    .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10)).iterator().next();
            String eventId = row.getUUID("id").toString();
            assertTrue(row.getString("traceparent").startsWith("00-" + trace + "-"), row.getString("traceparent"));
            assertEquals(requestId, row.getString("request_id"));

            // published in a PRODUCER span of that trace, whose context the record carries on
            SpanData send = await(() -> one(trace, s -> s.getKind() == SpanKind.PRODUCER
                    && eventId.equals(s.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("messaging.message.id")))),
                    "the publication's span");
            assertEquals("send " + ProbeRecorded.TOPIC, send.getName());
            assertTrue(spansOf(trace).stream().anyMatch(s -> s.getSpanId().equals(send.getParentSpanId())),
                    "the publication's parent is a span of the request's trace");
            ConsumerRecord<String, byte[]> record = kafka.first(r -> eventId.equals(header(r, "ce_id")), Duration.ofSeconds(30));
            assertEquals("00-" + trace + "-" + send.getSpanId() + "-01", header(record, "ce_traceparent"));
            assertEquals(requestId, header(record, "ce_requestid"));

            // consumed in a CONSUMER span that follows the publication, current while the handler runs
            SpanData process = await(() -> one(trace, s -> s.getKind() == SpanKind.CONSUMER
                    && handler.consumer.equals(s.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                    "messaging.consumer.group.name")))), "the consumer's span");
            assertEquals(send.getSpanId(), process.getParentSpanId());
            assertEquals("process " + ProbeRecorded.TOPIC, process.getName());
            Seen seen = handler.seen.get(eventId);
            assertNotNull(seen, "the handler applied the event");
            assertEquals(new Seen(trace, process.getSpanId(), requestId), seen);

            // and what the handler appends continues from the consumer's span
            var followUp = pool.preparedQuery("select traceparent, request_id from outbox where aggregate_id = $1")
                    .execute(Tuple.of("follow-up/" + id)).await().atMost(Duration.ofSeconds(10)).iterator().next();
            assertEquals("00-" + trace + "-" + process.getSpanId() + "-01", followUp.getString("traceparent"));
            assertEquals(requestId, followUp.getString("request_id"));
        } finally {
            consumers.stop(handler);
        }
    }

    @Test
    void without_a_caller_trace_the_request_starts_one_and_its_event_still_carries_it() throws Exception {
        String name = "untraced-" + UUID.randomUUID();
        try (KafkaProbe kafka = new KafkaProbe(KafkaProbe.bootstrap(), ProbeRecorded.TOPIC)) {
            String id = given().contentType("application/json").body(Map.of("name", name, "amount_minor", 1))
                    .post("/probe/records").then().statusCode(201).extract().path("id");
            String traceparent = pool.preparedQuery("select traceparent from outbox where aggregate_id = $1")
                    .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10)).iterator().next().getString("traceparent");
            assertTrue(traceparent != null && traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), String.valueOf(traceparent));
            String trace = traceparent.substring(3, 35);
            ConsumerRecord<String, byte[]> record = kafka.first(r -> id.equals(r.key()), Duration.ofSeconds(30));
            assertTrue(header(record, "ce_traceparent").startsWith("00-" + trace + "-"), header(record, "ce_traceparent"));
        }
    }

    private List<SpanData> spansOf(String trace) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();
    }

    private Optional<SpanData> one(String trace, Predicate<SpanData> match) {
        return spansOf(trace).stream().filter(match).findFirst();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static <T> T await(Supplier<Optional<T>> probe, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not seen within 30 s: " + what);
    }
}
