package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.identity.SessionRevoked;
import io.tollgate.identity.support.Accounts;
import io.tollgate.kit.testing.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class SessionsTest {

    private static Response refresh(String token) {
        return given().contentType("application/json").body("{\"refresh_token\": \"" + token + "\"}").post("/v1/auth/refresh");
    }

    private static String sid(String accessToken) throws Exception {
        return LoginTest.verifyWithJwks(accessToken).getStringClaimValue("sid");
    }

    @Test
    void a_refresh_rotates_the_pair_and_keeps_the_session() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        Response next = refresh(account.refreshToken());
        next.then().statusCode(200).body("token_type", equalTo("Bearer"));
        assertNotEquals(account.refreshToken(), next.path("refresh_token"));
        assertEquals(sid(account.accessToken()), sid(next.path("access_token")));
        refresh(next.path("refresh_token")).then().statusCode(200);
    }

    @Test
    void racing_refreshes_of_one_token_issue_exactly_one_pair_and_do_not_end_the_session() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return refresh(account.refreshToken());
            }));
        }
        go.countDown();
        String winner = null;
        int refused = 0;
        for (Future<Response> result : results) {
            Response response = result.get();
            if (response.statusCode() == 200) {
                assertEquals(null, winner, "only one refresh may win");
                winner = response.path("refresh_token");
            } else {
                assertEquals(401, response.statusCode());
                assertEquals("REFRESH_TOKEN_SPENT", response.path("code"));
                refused++;
            }
        }
        pool.shutdown();
        assertEquals(5, refused);
        // A race inside the window is not treated as theft: the winner's pair keeps working.
        refresh(winner).then().statusCode(200);
    }

    @Test
    void a_spent_refresh_token_presented_later_revokes_the_whole_session() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        String sessionId = sid(account.accessToken());
        String current = refresh(account.refreshToken()).then().statusCode(200).extract().path("refresh_token");
        Thread.sleep(2_500); // past the race window of the test profile
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            refresh(account.refreshToken()).then().statusCode(401).body("code", equalTo("REFRESH_TOKEN_REUSED"));
            ConsumerRecord<String, byte[]> event = probe.first(r -> sessionId.equals(r.key())
                    && SessionRevoked.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20));
            EventSchemas.assertValid(SessionRevoked.TYPE, event.value());
            assertTrue(new String(event.value(), StandardCharsets.UTF_8).contains("refresh_reuse"));
        }
        // The legitimate holder's newer token dies with the session.
        refresh(current).then().statusCode(401).body("code", equalTo("INVALID_REFRESH_TOKEN"));
    }

    @Test
    void sessions_are_listed_with_the_current_one_and_can_be_revoked() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        String second = Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(200).extract().path("access_token");
        given().auth().oauth2(account.accessToken()).get("/v1/auth/sessions").then().statusCode(200)
                .body("meta.total", equalTo(2))
                .body("data.findAll { it.is_current }.size()", equalTo(1))
                .body("data.find { it.is_current }.id", equalTo(sid(account.accessToken())))
                .body("data[0].device_name", equalTo("laptop"));

        String otherSid = sid(second);
        given().auth().oauth2(account.accessToken()).delete("/v1/auth/sessions/" + otherSid).then().statusCode(204);
        given().auth().oauth2(account.accessToken()).delete("/v1/auth/sessions/" + otherSid).then().statusCode(404);
        given().auth().oauth2(account.accessToken()).get("/v1/auth/sessions").then().statusCode(200)
                .body("meta.total", equalTo(1));
    }

    @Test
    void another_users_session_is_not_found_and_revoke_others_keeps_the_current_one() throws Exception {
        Accounts.Account mine = Accounts.signedIn();
        Accounts.Account theirs = Accounts.signedIn();
        given().auth().oauth2(mine.accessToken()).delete("/v1/auth/sessions/" + sid(theirs.accessToken()))
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        refresh(theirs.refreshToken()).then().statusCode(200);

        Accounts.login(mine.email(), Accounts.PASSWORD).then().statusCode(200);
        Accounts.login(mine.email(), Accounts.PASSWORD).then().statusCode(200);
        given().auth().oauth2(mine.accessToken()).delete("/v1/auth/sessions").then().statusCode(200)
                .body("revoked_count", equalTo(2));
        given().auth().oauth2(mine.accessToken()).get("/v1/auth/sessions").then().statusCode(200)
                .body("meta.total", equalTo(1));
    }

    @Test
    void logout_ends_the_session_and_its_refresh_token() {
        Accounts.Account account = Accounts.signedIn();
        given().auth().oauth2(account.accessToken()).post("/v1/auth/logout").then().statusCode(204);
        refresh(account.refreshToken()).then().statusCode(401).body("code", not(containsString("SPENT")));
    }
}
