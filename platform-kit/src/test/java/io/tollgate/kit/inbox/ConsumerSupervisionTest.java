package io.tollgate.kit.inbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventSerializer;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.Management;
import io.tollgate.kit.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consumers under supervision: bounded retries, dead letters and their replay, restarts, readiness. */
@QuarkusTest
class ConsumerSupervisionTest {

    private static final String ADMIN = TestTokens.user(UUID.randomUUID(), UUID.randomUUID()).roles("admin").sign();

    private final EventConsumers consumers;
    private final Faults faults;
    private final Pool pool;

    ConsumerSupervisionTest(EventConsumers consumers, Faults faults, Pool pool) {
        this.consumers = consumers;
        this.faults = faults;
        this.pool = pool;
    }

    /** Records each applied event in probe_effects; events listed in {@code poison} fail with what it supplies. */
    static class Handler implements EventHandler {
        final String name = "kit.supervision-test." + UUID.randomUUID();
        // a topic of its own: a new consumer group reads its topics from the start
        final String topic = name;
        final Map<String, RuntimeException> poison = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public String consumer() {
            return name;
        }

        @Override
        public Set<String> topics() {
            return Set.of(topic);
        }

        @Override
        public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
            attempts.incrementAndGet();
            RuntimeException failure = poison.get(event.id());
            AtomicInteger left = failuresLeft.get(event.id());
            if (failure != null && (left == null || left.getAndDecrement() > 0)) {
                return Uni.createFrom().failure(failure);
            }
            return tx.preparedQuery("insert into probe_effects (consumer, event_id) values ($1, $2)")
                    .execute(Tuple.of(name, event.id())).replaceWithVoid();
        }
    }

    @Test
    void a_poison_event_lands_in_dead_letters_and_the_next_one_is_consumed_and_a_replay_applies_it_once() {
        Handler handler = new Handler();
        String poison = UUID.randomUUID().toString();
        String next = UUID.randomUUID().toString();
        handler.poison.put(poison, new IllegalStateException("this event can never be applied"));
        consumers.start(handler);
        try (KafkaProducer<String, CloudEvent> producer = producer()) {
            // one key: one partition, the poison first
            producer.send(new ProducerRecord<>(handler.topic, "agg-poison", event(poison)));
            producer.send(new ProducerRecord<>(handler.topic, "agg-poison", event(next)));
            producer.flush();

            await(() -> effects(handler.name, next) == 1, "the event after the poison was consumed");
            assertEquals(0, effects(handler.name, poison));
            var letter = given().auth().oauth2(ADMIN).queryParam("consumer", handler.name).get("/probe/admin/dead-letters")
                    .then().statusCode(200).body("meta.total", equalTo(1)).body("data[0].event_id", equalTo(poison))
                    .body("data[0].attempts", equalTo(5)).body("data[0].topic", equalTo(handler.topic))
                    .extract().jsonPath();
            assertTrue(letter.getString("data[0].error").contains("this event can never be applied"), letter.prettify());
            String id = letter.getString("data[0].id");
            String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("tollgate_consumer_dead_letters_total{consumer=\"" + handler.name + "\"} 1.0"), "dead letters counted");
            assertTrue(metrics.contains("tollgate_consumer_retries_total{consumer=\"" + handler.name + "\"} 4.0"), "four retries, then the dead letter");
            assertTrue(metrics.contains("tollgate_consumer_lag{consumer=\"" + handler.name + "\"}"), "lag reported");

            // admins only
            given().get("/probe/admin/dead-letters").then().statusCode(401);
            given().auth().oauth2(TestTokens.user(UUID.randomUUID(), UUID.randomUUID()).sign()).get("/probe/admin/dead-letters")
                    .then().statusCode(403).body("code", equalTo("ADMIN_ONLY"));

            // still broken: the replay fails, and says so
            given().auth().oauth2(ADMIN).post("/probe/admin/dead-letters/" + id + "/replay").then().statusCode(409)
                    .body("code", equalTo("REPLAY_FAILED"));
            // mended: the replay applies it, once
            handler.poison.remove(poison);
            given().auth().oauth2(ADMIN).post("/probe/admin/dead-letters/" + id + "/replay").then().statusCode(200)
                    .body("outcome", equalTo("applied")).body("event_id", equalTo(poison));
            given().auth().oauth2(ADMIN).post("/probe/admin/dead-letters/" + id + "/replay").then().statusCode(409)
                    .body("code", equalTo("DEAD_LETTER_REPLAYED"));
            assertEquals(1, effects(handler.name, poison));
            given().auth().oauth2(ADMIN).get("/probe/admin/dead-letters/" + id).then().statusCode(200)
                    .body("replayed_at", notNullValue()).body("attempts", equalTo(6));
            given().auth().oauth2(ADMIN).get("/probe/admin/dead-letters/" + UUID.randomUUID()).then().statusCode(404);
        } finally {
            consumers.stop(handler);
        }
    }

    @Test
    void a_record_that_is_no_cloudevent_is_parked_at_once_and_cannot_be_replayed() {
        Handler handler = new Handler();
        String next = UUID.randomUUID().toString();
        consumers.start(handler);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaProbe.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
             KafkaProducer<String, CloudEvent> producer = producer()) {
            raw.send(new ProducerRecord<>(handler.topic, "agg-raw", "not an event".getBytes(StandardCharsets.UTF_8)));
            raw.flush();
            producer.send(new ProducerRecord<>(handler.topic, "agg-raw", event(next)));
            producer.flush();
            await(() -> effects(handler.name, next) == 1, "the event after the raw record was consumed");
            String id = given().auth().oauth2(ADMIN).queryParam("consumer", handler.name).get("/probe/admin/dead-letters")
                    .then().statusCode(200).body("meta.total", equalTo(1)).body("data[0].event_type", equalTo(DeadLetters.NOT_A_CLOUDEVENT))
                    .body("data[0].data", equalTo("not an event")).extract().path("data[0].id");
            given().auth().oauth2(ADMIN).post("/probe/admin/dead-letters/" + id + "/replay").then().statusCode(422)
                    .body("code", equalTo("DEAD_LETTER_NOT_REPLAYABLE"));
        } finally {
            consumers.stop(handler);
        }
    }

    @Test
    void a_transient_failure_is_retried_past_the_bound_and_never_dead_lettered() {
        Handler handler = new Handler();
        String id = UUID.randomUUID().toString();
        // the database "refuses connections" seven times: more than the five counted attempts
        handler.poison.put(id, new IllegalStateException("pool", new ConnectException("Connection refused")));
        handler.failuresLeft.put(id, new AtomicInteger(7));
        consumers.start(handler);
        try (KafkaProducer<String, CloudEvent> producer = producer()) {
            producer.send(new ProducerRecord<>(handler.topic, "agg-transient", event(id)));
            producer.flush();
            await(() -> effects(handler.name, id) == 1, "the event was applied once the failure passed");
            assertTrue(handler.attempts.get() >= 8, "seven failures then a success, saw " + handler.attempts.get());
            given().auth().oauth2(ADMIN).queryParam("consumer", handler.name).get("/probe/admin/dead-letters")
                    .then().statusCode(200).body("meta.total", equalTo(0));
        } finally {
            consumers.stop(handler);
        }
    }

    @Test
    void a_killed_consumer_loop_restarts_and_readiness_shows_it_down_meanwhile() {
        Handler handler = new Handler();
        consumers.start(handler);
        try (KafkaProducer<String, CloudEvent> producer = producer()) {
            await(() -> consumerState(handler.name).startsWith("UP: running"), "the consumer runs and readiness lists it");
            // the loop dies twice in a row: restarted after 1 s, then after 2 s
            faults.failNext(EventConsumers.FAULT_LOOP + handler.name, 2);
            await(() -> consumerState(handler.name).startsWith("DOWN: restarting"), "readiness shows the dead loop DOWN");
            assertEquals(503, Management.given().get("/q/health/ready").statusCode(), "and the service not ready");
            await(() -> consumerState(handler.name).startsWith("UP: running"), "the restarted loop is UP again");
            assertTrue(consumerState(handler.name).contains("restarted 2 time(s)"), consumerState(handler.name));

            String id = UUID.randomUUID().toString();
            producer.send(new ProducerRecord<>(handler.topic, "agg-restart", event(id)));
            producer.flush();
            await(() -> effects(handler.name, id) == 1, "the restarted consumer consumes");
        } finally {
            faults.disarm(EventConsumers.FAULT_LOOP + handler.name);
            consumers.stop(handler);
        }
    }

    /** This consumer's entry in the {@code consumers} readiness check ("" while it is not listed). */
    private static String consumerState(String consumer) {
        var checks = Management.given().get("/q/health/ready").then().extract().jsonPath();
        Object data = checks.get("checks.find { it.name == 'consumers' }.data.'" + consumer + "'");
        return data == null ? "" : data.toString();
    }

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1().withId(id).withType("tollgate.kit.probe.recorded.v1")
                .withSource(URI.create("urn:tollgate:test")).withTime(OffsetDateTime.now())
                .withDataContentType("application/json")
                .withData("{\"record_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static KafkaProducer<String, CloudEvent> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaProbe.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class,
                CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY));
    }

    private long effects(String consumer, String eventId) {
        return pool.preparedQuery("select count(*) from probe_effects where consumer = $1 and event_id = $2")
                .execute(Tuple.of(consumer, eventId)).await().indefinitely().iterator().next().getLong(0);
    }

    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting until " + what);
    }
}
