package io.tollgate.kit.security;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.identity.ApiKeyRegenerated;
import io.tollgate.contracts.identity.ApiKeyRevoked;
import io.tollgate.contracts.identity.SessionRevoked;
import io.tollgate.contracts.identity.UserBanned;
import io.tollgate.contracts.identity.UserUnbanned;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every service, called directly, refuses what identity has taken back, from identity's own events
 * on the real broker: a revoked session, a banned account, a revoked or regenerated key; and an
 * expired token is refused past the same 5 s the gateway allows, cached or not.
 */
@QuarkusTest
class WithdrawnTokensTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    private static Response me(String token) {
        return given().auth().oauth2(token).get("/probe/me");
    }

    private static Response eventually(int status, Supplier<Response> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Response last = call.get();
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = call.get();
        }
        assertEquals(status, last.statusCode(), last.asString());
        return last;
    }

    @Test
    void a_revoked_sessions_token_is_refused_though_it_is_validly_signed_and_cached() throws Exception {
        UUID user = UUID.randomUUID();
        UUID session = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).session(session).sign();
        String other = TestTokens.user(user, TENANT).sign();
        me(token).then().statusCode(200);
        Events.publish(new SessionRevoked(session, user, TENANT, "logout", Instant.now()), null, user.toString(), "identity-svc");
        eventually(401, () -> me(token)).then().contentType("application/problem+json").body("code", equalTo("SESSION_REVOKED"));
        me(other).then().statusCode(200);
    }

    @Test
    void a_banned_users_tokens_are_refused_until_the_ban_is_lifted() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        me(token).then().statusCode(200);
        Events.publish(new UserBanned(user, TENANT, "abuse", null, "admin", Instant.now()), null, user.toString(), "identity-svc");
        eventually(403, () -> me(token)).then().body("code", equalTo("USER_BANNED"));
        Events.publish(new UserUnbanned(user, TENANT, "appeal", null, "admin", Instant.now()), null, user.toString(), "identity-svc");
        eventually(200, () -> me(token));
    }

    @Test
    void a_revoked_keys_tokens_are_refused_and_a_regenerated_keys_earlier_ones_too() throws Exception {
        UUID user = UUID.randomUUID();
        UUID revoked = UUID.randomUUID();
        String keyToken = TestTokens.user(user, TENANT).apiKey(revoked, "account:read").sign();
        me(keyToken).then().statusCode(200);
        Events.publish(new ApiKeyRevoked(revoked, "tg_live_abcd1234", user, TENANT, List.of("account:read"), "revoked", Instant.now()),
                null, revoked.toString(), "identity-svc");
        eventually(401, () -> me(keyToken)).then().body("code", equalTo("API_KEY_REVOKED"));

        UUID regenerated = UUID.randomUUID();
        String before = TestTokens.user(user, TENANT).apiKey(regenerated, "account:read")
                .expiresAt(Instant.now().plusSeconds(300)).sign(); // issued 10 min ago
        Events.publish(new ApiKeyRegenerated(regenerated, "tg_live_efgh5678", user, TENANT, List.of("account:read"),
                "regenerated", Instant.now()), null,
                regenerated.toString(), "identity-svc");
        eventually(401, () -> me(before)).then().body("code", equalTo("API_KEY_REVOKED"));
    }

    @Test
    void an_expired_token_is_refused_past_five_seconds_even_when_it_was_cached() throws Exception {
        UUID user = UUID.randomUUID();
        me(TestTokens.user(user, TENANT).expiresAt(Instant.now().minusSeconds(10)).sign()).then().statusCode(401);
        String soon = TestTokens.user(user, TENANT).expiresAt(Instant.now().plusSeconds(1)).sign();
        me(soon).then().statusCode(200);
        Thread.sleep(7_000);
        me(soon).then().statusCode(401);
    }
}
