package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.EntitlementChanged;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatorStarter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;

/** Callers, slots bought at billing (its real event on Kafka) and the running device fleet, for the tests. */
final class Fixtures {

    static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000d1");

    record Caller(UUID id, String token) {
    }

    private Fixtures() {
    }

    static Caller user() {
        UUID id = UUID.randomUUID();
        return new Caller(id, TestTokens.user(id, TENANT).sign());
    }

    static String admin() {
        return TestTokens.user(UUID.randomUUID(), TENANT).roles("admin").sign();
    }

    /** The simulator this instance runs, once every device has registered. */
    static DeviceSimulator fleet() {
        DeviceSimulator simulator = Arc.container().instance(SimulatorStarter.class).get().simulator().orElseThrow();
        try {
            simulator.ready().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the simulated devices did not register", e);
        }
        return simulator;
    }

    /** Billing says the user holds these slots (its entitlement.changed), and proxy has read it. */
    static void slots(Caller caller, int shared, int isPrivate) throws Exception {
        Instant now = Instant.now();
        Events.publish(new EntitlementChanged(caller.id(), TENANT, UUID.randomUUID(), "ports", false, Math.max(1, shared),
                10L << 30, 10L << 30, shared, isPrivate, "starter", 50, 10, now), null, caller.id().toString(), "billing-svc");
        Pool pool = Arc.container().instance(Pool.class).get();
        until(() -> pool.preparedQuery("select 1 from entitlements where user_id = $1 and slots_shared = $2 and slots_private = $3")
                .execute(Tuple.of(caller.id(), shared, isPrivate)).await().indefinitely().size() == 1, Duration.ofSeconds(60));
    }

    static Response create(Caller caller, String body) {
        return given().auth().oauth2(caller.token()).contentType("application/json").body(body).post("/v1/ports");
    }

    /** Waits for {@code condition}, read again every 100 ms, for at most {@code max}. */
    static void until(BooleanSupplier condition, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + max);
            }
            Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(100)).await().indefinitely();
        }
    }
}
