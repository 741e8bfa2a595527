package io.tollgate.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.billing.pricing.TrafficMetering;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.contracts.proxy.TrafficMetered;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.Inbox;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.KafkaProbe;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 50, 80 and 100 percent marks of a traffic allowance: each announced once per crossing, re-armed by a purchase. */
@QuarkusTest
class TrafficThresholdTest {

    static final long MB = 1_000_000L;
    static final long GB = 1_000_000_000L;

    @Inject
    Pool pool;

    @Inject
    Inbox inbox;

    @Inject
    TrafficMetering metering;

    @Test
    void each_mark_fires_once_as_windows_reach_it_and_a_replayed_window_fires_nothing() throws Exception {
        Money.User user = Money.user(2_000);
        buy(user, 1, false);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            meter(user, 400 * MB, 100 * MB, false, null);
            awaitUsed(user, "used_shared_bytes", 500 * MB);
            assertEquals(List.of(50), percents(crossings(probe, user)), "exactly half is the 50 % mark");

            String to85 = meter(user, 300 * MB, 50 * MB, false, null);
            awaitUsed(user, "used_shared_bytes", 850 * MB);
            meter(user, 300 * MB, 50 * MB, false, to85); // the same window again
            meter(user, 1, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 850 * MB + 1);
            List<ConsumerRecord<String, byte[]>> at85 = crossings(probe, user);
            assertEquals(List.of(80), percents(at85), "80 % once, 50 % not again, and the replay counted nothing");
            JsonNode eighty = Events.JSON.readTree(at85.getFirst().value());
            assertEquals(850 * MB, eighty.path("used_bytes").asLong());
            assertEquals(GB, eighty.path("allowance_bytes").asLong());
            assertEquals("traffic_shared", eighty.path("resource").asText());

            meter(user, 150 * MB, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 1_000 * MB + 1);
            List<ConsumerRecord<String, byte[]>> full = crossings(probe, user);
            assertEquals(List.of(100), percents(full));
            JsonNode hundred = Events.JSON.readTree(full.getFirst().value());
            assertEquals(GB, hundred.path("used_bytes").asLong(), "bytes beyond the allowance are not part of its share");
            assertEquals(GB, hundred.path("allowance_bytes").asLong());
            for (ConsumerRecord<String, byte[]> r : full) {
                EventSchemas.assertValid(TrafficThresholdCrossed.TYPE, r.value());
                assertEquals(user.id().toString(), r.key(), "keyed by the user, like the allowance's other events");
            }
            meter(user, 10 * MB, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 1_010 * MB + 1);
            assertTrue(crossings(probe, user, Duration.ofSeconds(4)).isEmpty(), "past 100 % nothing more is announced");
            assertEquals(100, announced(user, false));
        }
    }

    @Test
    void one_window_across_two_marks_announces_both_in_order_and_private_traffic_has_marks_of_its_own() throws Exception {
        Money.User user = Money.user(5_000);
        buy(user, 1, true);
        buy(user, 1, false);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            meter(user, 850 * MB, 0, true, null);
            awaitUsed(user, "used_private_bytes", 850 * MB);
            List<ConsumerRecord<String, byte[]>> crossed = crossings(probe, user);
            assertEquals(List.of(50, 80), percents(crossed), "0 -> 85 % announces 50 then 80");
            for (ConsumerRecord<String, byte[]> r : crossed) {
                EventSchemas.assertValid(TrafficThresholdCrossed.TYPE, r.value());
                JsonNode data = Events.JSON.readTree(r.value());
                assertEquals("traffic_private", data.path("resource").asText());
                assertEquals(850 * MB, data.path("used_bytes").asLong());
                assertEquals(user.id().toString(), data.path("user_id").asText());
                assertEquals(Money.TENANT.toString(), data.path("tenant_id").asText());
            }
            assertEquals(80, announced(user, true));
            assertEquals(0, announced(user, false), "the shared allowance is untouched");
        }
    }

    @Test
    void a_purchase_rearms_the_marks_the_share_fell_below() throws Exception {
        Money.User user = Money.user(5_000);
        buy(user, 1, false);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            meter(user, 1_000 * MB, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 1_000 * MB);
            assertEquals(List.of(50, 80, 100), percents(crossings(probe, user)));

            // 1 of 2 GB used: 50 % is still reached, 80 and 100 re-arm
            buy(user, 1, false);
            assertEquals(50, announced(user, false));
            meter(user, 600 * MB, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 1_600 * MB);
            List<ConsumerRecord<String, byte[]>> again = crossings(probe, user);
            assertEquals(List.of(80), percents(again), "80 % fires again after the purchase, 50 % does not");
            assertEquals(2 * GB, Events.JSON.readTree(again.getFirst().value()).path("allowance_bytes").asLong());

            // 1.6 of 4 GB used: every mark re-arms
            buy(user, 2, false);
            assertEquals(0, announced(user, false));
            meter(user, 400 * MB, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 2_000 * MB);
            assertEquals(List.of(50), percents(crossings(probe, user)));
        }
        // a purchase of slots leaves the traffic marks alone
        given().auth().oauth2(user.token()).contentType("application/json").body("{\"resource\": \"ports\", \"amount\": 1}")
                .post("/v1/billing/purchases").then().statusCode(201);
        assertEquals(50, announced(user, false));
    }

    @Test
    void twenty_windows_charged_at_once_announce_each_mark_exactly_once() throws Exception {
        Money.User user = Money.user(2_000);
        buy(user, 1, false);
        List<Callable<Boolean>> racers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ConsumedEvent window = window(user, 50 * MB);
            racers.add(() -> pool.withTransaction(tx -> inbox.once(tx, metering.consumer(), window.id(), window.type(),
                    () -> metering.apply(window, tx))).await().atMost(Duration.ofSeconds(60)));
        }
        ExecutorService executor = Executors.newFixedThreadPool(10);
        try {
            for (Future<Boolean> f : executor.invokeAll(racers)) {
                assertTrue(f.get(), "every window is charged once");
            }
        } finally {
            executor.shutdown();
        }
        List<Integer> outboxed = new ArrayList<>();
        pool.preparedQuery("select (payload->>'percent')::int as percent from outbox where aggregate_id = $1 and type = $2 order by id")
                .execute(Tuple.of(user.id().toString(), TrafficThresholdCrossed.TYPE)).await().atMost(Duration.ofSeconds(10))
                .forEach(r -> outboxed.add(r.getInteger("percent")));
        assertEquals(List.of(50, 80, 100), outboxed, "each mark once, lowest first");
        long exhausted = pool.preparedQuery("select count(*) from outbox where aggregate_id = $1 and type = $2")
                .execute(Tuple.of(user.id().toString(), AllowanceExhausted.TYPE)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
        assertEquals(1, exhausted);
        given().auth().oauth2(user.token()).get("/v1/billing/entitlements").then().statusCode(200)
                .body("used_shared_bytes", org.hamcrest.Matchers.equalTo(1_000_000_000)).body("traffic_shared_bytes", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void traffic_without_any_allowance_announces_no_marks() throws Exception {
        Money.User user = Money.user(0);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            meter(user, 5 * MB, 0, false, null);
            awaitUsed(user, "used_shared_bytes", 5 * MB);
            probe.first(r -> AllowanceExhausted.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(user.id().toString()), Duration.ofSeconds(20));
            assertTrue(crossings(probe, user, Duration.ofSeconds(3)).isEmpty(), "no allowance, no share of it");
        }
        assertEquals(0, announced(user, false));
    }

    private static void buy(Money.User user, int gb, boolean isPrivate) {
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"resource\": \"traffic\", \"amount\": " + gb + ", \"is_private\": " + isPrivate + "}")
                .post("/v1/billing/purchases").then().statusCode(201);
    }

    private static String meter(Money.User user, long in, long out, boolean isPrivate, String id) throws Exception {
        Instant now = Instant.now();
        return Events.publish(new TrafficMetered(user.id(), Money.TENANT, "port_" + UUID.randomUUID(), isPrivate, in, out,
                now.minusSeconds(60), now), id, user.id().toString(), "proxy-svc");
    }

    /** A metered window as the consumer reads it from Kafka, with an id of its own. */
    private static ConsumedEvent window(Money.User user, long bytes) {
        Instant now = Instant.now();
        byte[] data;
        try {
            data = Events.JSON.writeValueAsBytes(new TrafficMetered(user.id(), Money.TENANT, "port_" + UUID.randomUUID(), false, bytes, 0,
                    now.minusSeconds(60), now));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConsumedEvent(UUID.randomUUID().toString(), TrafficMetered.TYPE, "urn:tollgate:proxy-svc", null,
                OffsetDateTime.now(ZoneOffset.UTC), data, user.id().toString(), "proxy.events", 0, 0);
    }

    /** The crossings of the user published since the probe's last look. */
    private static List<ConsumerRecord<String, byte[]>> crossings(KafkaProbe probe, Money.User user) {
        return crossings(probe, user, Duration.ofSeconds(20));
    }

    private static List<ConsumerRecord<String, byte[]>> crossings(KafkaProbe probe, Money.User user, Duration max) {
        return probe.collect(r -> TrafficThresholdCrossed.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                && new String(r.value()).contains(user.id().toString()), max, Duration.ofSeconds(2));
    }

    private static List<Integer> percents(List<ConsumerRecord<String, byte[]>> records) throws IOException {
        List<Integer> percents = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            percents.add(Events.JSON.readTree(r.value()).path("percent").asInt());
        }
        return percents;
    }

    /** The highest mark announced for the user's traffic of a kind. */
    private int announced(Money.User user, boolean isPrivate) {
        Row row = pool.preparedQuery("select threshold_shared, threshold_private from entitlements where user_id = $1")
                .execute(Tuple.of(user.id())).await().atMost(Duration.ofSeconds(10)).iterator().next();
        return row.getInteger(isPrivate ? "threshold_private" : "threshold_shared");
    }

    private static void awaitUsed(Money.User user, String field, long bytes) throws InterruptedException {
        await(() -> given().auth().oauth2(user.token()).get("/v1/billing/entitlements").jsonPath().getLong(field) == bytes);
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "metered traffic was not charged in 30 s");
            Thread.sleep(100);
        }
    }
}
