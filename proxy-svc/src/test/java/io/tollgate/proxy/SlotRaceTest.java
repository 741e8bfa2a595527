package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Racing creations never hold more than the slots billing sold (the 20 s limit lifted, so that they do race). */
@QuarkusTest
@TestProfile(SlotRaceTest.NoCreateLimit.class)
@QuarkusTestResource(StandInIdentity.class)
class SlotRaceTest {

    public static class NoCreateLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tollgate.proxy.limits.create-interval", "PT0S");
        }
    }

    @Test
    void thirty_racing_creations_take_exactly_the_slots_there_are() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 3, 0);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            calls.add(() -> Fixtures.create(caller, "{\"country_id\": \"FR\", \"expires_in\": 120}").statusCode());
        }
        ExecutorService pool = Executors.newFixedThreadPool(30);
        List<Integer> statuses = new ArrayList<>();
        try {
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(3, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(27, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        int held = given().auth().oauth2(caller.token()).get("/v1/ports?status=active").then().statusCode(200).extract().path("meta.total");
        assertEquals(3, held);
    }
}
