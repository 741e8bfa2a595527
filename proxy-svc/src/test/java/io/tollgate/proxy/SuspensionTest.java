package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.AllowanceRestored;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.proxy.PortUnsuspended;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.KafkaProbe;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Billing's allowance events on Kafka suspend a user's ports of the spent kind and resume them after a purchase. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class SuspensionTest {

    static String status(Fixtures.Caller caller, String id) {
        return given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(200).extract().path("status");
    }

    @Test
    void an_exhausted_allowance_suspends_the_ports_of_its_kind_and_a_purchase_resumes_them() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response shared = Fixtures.create(caller, "{\"country_id\": \"US\", \"expires_in\": 120}");
        String sharedId = shared.then().statusCode(201).extract().path("id");
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            Events.publish(new AllowanceExhausted(caller.id(), Fixtures.TENANT, "traffic_shared", 1024, Instant.now()), null,
                    caller.id().toString(), "billing-svc");
            Fixtures.until(() -> "suspended".equals(status(caller, sharedId)), Duration.ofSeconds(30));
            given().auth().oauth2(caller.token()).get("/v1/ports/" + sharedId).then().body("suspended", equalTo(true))
                    .body("is_active", equalTo(false));
            given().auth().oauth2(caller.token()).post("/v1/ports/" + sharedId + "/rotate").then().statusCode(400)
                    .body("code", equalTo("PORT_NOT_ACTIVE"));
            given().get("/v1/rotate/" + shared.path("rotation_token")).then().statusCode(400).body("code", equalTo("PORT_SUSPENDED"));

            given().auth().oauth2(caller.token()).get("/v1/ports?status=suspended").then().body("meta.total", equalTo(1));

            Events.publish(new AllowanceRestored(caller.id(), Fixtures.TENANT, "traffic_shared", 5L << 30, Instant.now()), null,
                    caller.id().toString(), "billing-svc");
            Fixtures.until(() -> "active".equals(status(caller, sharedId)), Duration.ofSeconds(30));

            List<ConsumerRecord<String, byte[]>> events = probe.collect(r -> sharedId.equals(r.key())
                    && KafkaProbe.header(r, "ce_type").contains("suspended"), Duration.ofSeconds(20), Duration.ofSeconds(2));
            assertEquals(List.of(PortSuspended.TYPE, PortUnsuspended.TYPE), events.stream().map(r -> KafkaProbe.header(r, "ce_type")).toList());
            for (ConsumerRecord<String, byte[]> event : events) {
                EventSchemas.assertValid(KafkaProbe.header(event, "ce_type"), event.value());
            }
        }
    }

    @Test
    void a_port_made_while_its_kind_is_spent_starts_suspended() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Events.publish(new AllowanceExhausted(caller.id(), Fixtures.TENANT, "traffic_shared", 0, Instant.now()), null,
                caller.id().toString(), "billing-svc");
        // wait until proxy has read it
        Pool pool = Arc.container().instance(Pool.class).get();
        Fixtures.until(() -> pool.preparedQuery("select 1 from entitlements where user_id = $1 and exhausted_shared")
                .execute(Tuple.of(caller.id())).await().indefinitely().size() == 1, Duration.ofSeconds(30));
        Fixtures.create(caller, "{\"country_id\": \"GB\", \"expires_in\": 120}").then().statusCode(201)
                .body("status", equalTo("suspended")).body("is_active", equalTo(false));
    }
}
