package io.tollgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One trace follows a sign-up from the caller's {@code traceparent} through the gateway and
 * identity, the event identity's outbox published and the services that consumed it, as the
 * spans arrive at an OTLP collector; a caller's "not sampled" is followed by every hop.
 */
@ExtendWith(FleetExtension.class)
class TracingJourneyTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void a_sign_up_is_one_trace_from_the_gateway_through_identity_and_kafka_into_billing_and_notification(Fleet fleet) {
        String traceId = random(16);
        String callerSpan = random(8);
        String requestId = "trace-journey-" + UUID.randomUUID();
        String ip = Journeys.randomIp();
        register(fleet, ip, "00-" + traceId + "-" + callerSpan + "-01", requestId);

        TraceCollector collector = fleet.traces();
        TraceCollector.Span gateway = await(collector, traceId, "the gateway's server span",
                s -> s.service().equals("gateway-svc") && s.kind() == TraceCollector.SERVER);
        assertEquals(callerSpan, gateway.parentSpanId(), "the gateway continues the caller's span");
        assertEquals(requestId, gateway.attributes().get("tollgate.request_id"));

        TraceCollector.Span identity = await(collector, traceId, "identity's server span",
                s -> s.service().equals("identity-svc") && s.kind() == TraceCollector.SERVER);
        assertEquals(gateway.spanId(), identity.parentSpanId(), "identity's request is the gateway's child");
        assertEquals(requestId, identity.attributes().get("tollgate.request_id"));

        TraceCollector.Span send = await(collector, traceId, "identity's relay publishing the event",
                s -> s.service().equals("identity-svc") && s.kind() == TraceCollector.PRODUCER
                        && s.name().equals("send identity.events"));
        assertEquals("identity.events", send.attributes().get("messaging.destination.name"));
        assertEquals(requestId, send.attributes().get("tollgate.request_id"));
        assertTrue(inTrace(collector, traceId, send.parentSpanId()),
                "the publication hangs under the request that wrote the outbox row, not " + send.parentSpanId());

        for (String consumer : List.of("billing-svc", "notification-svc")) {
            TraceCollector.Span process = await(collector, traceId, consumer + " applying the event",
                    s -> s.service().equals(consumer) && s.kind() == TraceCollector.CONSUMER
                            && s.name().equals("process identity.events") && s.parentSpanId().equals(send.spanId()));
            assertEquals(requestId, process.attributes().get("tollgate.request_id"), consumer);
            assertEquals(send.attributes().get("messaging.message.id"), process.attributes().get("messaging.message.id"),
                    consumer + " applied the event that was published");
            // the handler's own work (its SQL in the inbox's transaction) is inside the consumer's span
            await(collector, traceId, consumer + "'s work under its consumer span",
                    s -> s.service().equals(consumer) && s.parentSpanId().equals(process.spanId()));
        }
    }

    @Test
    void a_caller_that_does_not_sample_its_trace_gets_no_spans_exported_anywhere(Fleet fleet) {
        String unsampled = random(16);
        String email = register(fleet, Journeys.randomIp(), "00-" + unsampled + "-" + random(8) + "-00",
                "trace-unsampled-" + UUID.randomUUID());
        Journeys.verificationToken(fleet, email); // its event went all the way: notification mailed it
        // a sampled sign-up after it: once that one's spans are in, the first one's would have been
        String sampled = random(16);
        register(fleet, Journeys.randomIp(), "00-" + sampled + "-" + random(8) + "-01", "trace-sampled-" + UUID.randomUUID());
        for (String consumer : List.of("billing-svc", "notification-svc")) {
            await(fleet.traces(), sampled, consumer + "'s consumer span of the sampled sign-up",
                    s -> s.service().equals(consumer) && s.kind() == TraceCollector.CONSUMER);
        }
        assertEquals(List.of(), fleet.traces().trace(unsampled), "spans of a trace its caller did not sample");
    }

    /** Registers a new user through the gateway with the caller's trace and request id; its e-mail address. */
    private static String register(Fleet fleet, String ip, String traceparent, String requestId) {
        String email = "trace-" + UUID.randomUUID() + "@example.com";
        Journeys.at(fleet.gatewayUrl(), ip).header("traceparent", traceparent).header("X-Request-Id", requestId)
                .contentType("application/json")
                .body("{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + Journeys.PASSWORD
                        + "\", \"full_name\": \"Trace User\", \"accept_terms\": true}")
                .post("/v1/auth/register")
                .then().statusCode(201).header("X-Request-Id", requestId);
        return email;
    }

    private static boolean inTrace(TraceCollector collector, String traceId, String spanId) {
        return collector.trace(traceId).stream().anyMatch(s -> s.spanId().equals(spanId));
    }

    /** Waits for a span of the trace that matches; the services export in batches a fifth of a second apart. */
    private static TraceCollector.Span await(TraceCollector collector, String traceId, String what,
                                             Predicate<TraceCollector.Span> match) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            Optional<TraceCollector.Span> found = collector.trace(traceId).stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fail("no " + what + " in trace " + traceId + "; received: " + collector.trace(traceId));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zeros
        return HEX.formatHex(b);
    }
}
