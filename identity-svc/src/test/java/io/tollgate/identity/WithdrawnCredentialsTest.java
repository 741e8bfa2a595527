package io.tollgate.identity;

import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.identity.support.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * identity refuses what it has taken back even when it is called directly, not through the gateway:
 * a revoked session's access token (after logout, a password reset or a ban) creates no API key and
 * reads no profile, and wrong MFA codes are counted per account across challenges.
 */
@QuarkusTest
class WithdrawnCredentialsTest {

    /** Revocations travel as identity's own events; a service knows them well within a second or two. */
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
    void a_logged_out_sessions_token_is_refused_here_too() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        given().auth().oauth2(account.accessToken()).get("/v1/me").then().statusCode(200);
        given().auth().oauth2(account.accessToken()).post("/v1/auth/logout").then().statusCode(204);
        eventually(401, () -> given().auth().oauth2(account.accessToken()).get("/v1/me"))
                .then().contentType("application/problem+json").body("code", equalTo("SESSION_REVOKED"));
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"name\": \"after logout\", \"scopes\": [\"proxy:read\"]}").post("/v1/api-keys")
                .then().statusCode(401).body("code", equalTo("SESSION_REVOKED"));
    }

    @Test
    void a_ban_refuses_the_users_tokens_at_once() throws Exception {
        String admin = AdminUsersTest.adminToken();
        Accounts.Account user = Accounts.signedIn();
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\": \"abuse\"}")
                .post("/v1/admin/users/" + user.userId() + "/ban").then().statusCode(200);
        Response refused = eventually(403, () -> given().auth().oauth2(user.accessToken()).get("/v1/me"));
        refused.then().body("code", equalTo("USER_BANNED"));
        given().auth().oauth2(admin).post("/v1/admin/users/" + user.userId() + "/unban").then().statusCode(200);
    }

    @Test
    void wrong_mfa_codes_are_counted_per_account_across_fresh_challenges() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        Response setup = given().auth().oauth2(account.accessToken()).contentType("application/json").body("{}")
                .post("/v1/auth/mfa/setup");
        String secret = setup.path("secret");
        long step = Instant.now().getEpochSecond() / 30;
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"factor_id\": \"" + setup.path("factor_id") + "\", \"code\": \""
                        + new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6).generate(secret, step) + "\"}")
                .post("/v1/auth/mfa/verify").then().statusCode(200);
        String ip = Accounts.someIp();
        // a fresh challenge for every guess: each allows five, the account allows five in all
        for (int i = 0; i < 5; i++) {
            String token = Accounts.login(account.email(), Accounts.PASSWORD, ip).then().statusCode(403).extract().path("mfa_token");
            challenge(token, "00000" + i, ip).then().statusCode(400).body("code", equalTo("INVALID_CODE"));
        }
        String token = Accounts.login(account.email(), Accounts.PASSWORD, ip).then().statusCode(403).extract().path("mfa_token");
        String right = new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6).generate(secret, step + 1);
        challenge(token, right, ip).then().statusCode(429).contentType("application/problem+json")
                .body("code", equalTo("RATE_LIMITED"));
    }

    private static Response challenge(String mfaToken, String code, String ip) {
        return given().contentType("application/json").header("X-Forwarded-For", ip)
                .body("{\"mfa_token\": \"" + mfaToken + "\", \"code\": \"" + code + "\"}").post("/v1/auth/mfa/challenge");
    }

    @Test
    void token_answers_are_never_cached() {
        String email = Accounts.newEmail();
        Accounts.register(email).then().statusCode(201);
        Accounts.login(email, Accounts.PASSWORD).then().statusCode(200).header("Cache-Control", "no-store")
                .header("Pragma", "no-cache");
    }

    @Test
    void a_nul_in_an_address_or_name_is_a_400_and_registers_nobody() {
        given().contentType("application/json")
                .body("{\"email\": \"nul\\u0000" + Accounts.newEmail() + "\", \"password\": \"Correct-Horse-7\", "
                        + "\"full_name\": \"x\", \"accept_terms\": true}")
                .post("/v1/auth/register").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_ERROR")).body("errors[0].field", equalTo("email"));
        given().contentType("application/json")
                .body("{\"email\": \"" + Accounts.newEmail() + "\", \"password\": \"Correct-Horse-7\", "
                        + "\"full_name\": \"a\\u0000b\", \"accept_terms\": true}")
                .post("/v1/auth/register").then().statusCode(400).body("errors[0].field", equalTo("full_name"));
        given().contentType("application/json").body("{\"email\": \"a\\u0000@b.c\", \"password\": \"x\"}")
                .post("/v1/auth/login").then().statusCode(400).body("code", equalTo("VALIDATION_ERROR"));
    }
}
