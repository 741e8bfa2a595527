package io.tollgate.identity;

import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.identity.support.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Codes come from an independent TOTP implementation, not from ours. */
@QuarkusTest
class MfaTest {

    private static String code(String secret, long step) throws Exception {
        return new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6).generate(secret, step);
    }

    private static long step() {
        return Instant.now().getEpochSecond() / 30;
    }

    /** One address per test (JUnit makes an instance per test), so failed codes of earlier runs never lock it. */
    private final String address = Accounts.someIp();

    private Response challenge(String mfaToken, String code) {
        return given().contentType("application/json").header("X-Forwarded-For", address).body("{\"mfa_token\": \"" + mfaToken + "\", \"code\": \"" + code + "\"}")
                .post("/v1/auth/mfa/challenge");
    }

    @Test
    void enrolment_login_challenge_recovery_codes_and_disabling() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        Response setup = given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"factor_type\": \"TOTP\", \"label\": \"phone\"}").post("/v1/auth/mfa/setup");
        setup.then().statusCode(200)
                .body("qr_code_url", startsWith("otpauth://totp/Tollgate"))
                .body("recovery_codes", hasSize(10))
                .body("factor_id", notNullValue());
        String secret = setup.path("secret");
        String factorId = setup.path("factor_id");
        List<String> recovery = setup.path("recovery_codes");

        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"factor_id\": \"" + factorId + "\", \"code\": \"000000\"}").post("/v1/auth/mfa/verify")
                .then().statusCode(400).body("code", equalTo("INVALID_CODE"));
        long now = step();
        String current = code(secret, now);
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"factor_id\": \"" + factorId + "\", \"code\": \"" + current + "\"}").post("/v1/auth/mfa/verify")
                .then().statusCode(200).body("mfa_enabled", equalTo(true));

        // The password alone is no longer enough.
        Response login = Accounts.login(account.email(), Accounts.PASSWORD);
        login.then().statusCode(403).contentType("application/problem+json").body("code", equalTo("MFA_REQUIRED"))
                .body("mfa_token", notNullValue());
        String mfaToken = login.path("mfa_token");

        // A code already used is refused, even within its time window.
        challenge(mfaToken, current).then().statusCode(400).body("code", equalTo("INVALID_CODE"));
        Response done = challenge(mfaToken, code(secret, now + 1));
        done.then().statusCode(200).body("token_type", equalTo("Bearer"));
        assertEquals(List.of("pwd", "otp"), LoginTest.verifyWithJwks(done.path("access_token")).getStringListClaimValue("amr"));
        challenge(mfaToken, code(secret, now + 1)).then().statusCode(401).body("code", equalTo("INVALID_MFA_TOKEN"));
        // The history shows the challenge, then the completed sign-in.
        given().auth().oauth2(done.<String>path("access_token")).get("/v1/auth/login-history").then().statusCode(200)
                .body("data[0].success", equalTo(true)).body("data[1].error_code", equalTo("MFA_REQUIRED"));

        // A recovery code works once.
        String second = Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(403).extract().path("mfa_token");
        Response viaRecovery = challenge(second, recovery.getFirst());
        viaRecovery.then().statusCode(200);
        assertEquals(List.of("pwd", "rec"), LoginTest.verifyWithJwks(viaRecovery.path("access_token")).getStringListClaimValue("amr"));
        String third = Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(403).extract().path("mfa_token");
        challenge(third, recovery.getFirst()).then().statusCode(400).body("code", equalTo("INVALID_CODE"));

        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"factor_type\": \"TOTP\"}").post("/v1/auth/mfa/setup").then().statusCode(409);
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"code\": \"" + recovery.get(1) + "\"}").post("/v1/auth/mfa/disable").then().statusCode(204);
        Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(200);
    }

    @Test
    void a_challenge_allows_five_attempts() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        Response setup = given().auth().oauth2(account.accessToken()).contentType("application/json").body("{}")
                .post("/v1/auth/mfa/setup");
        String secret = setup.path("secret");
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"factor_id\": \"" + setup.path("factor_id") + "\", \"code\": \"" + code(secret, step()) + "\"}")
                .post("/v1/auth/mfa/verify").then().statusCode(200);
        String token = Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(403).extract().path("mfa_token");
        for (int i = 0; i < 5; i++) {
            challenge(token, "12345" + i).then().statusCode(400);
        }
        challenge(token, code(secret, step() + 1)).then().statusCode(401).body("code", equalTo("INVALID_MFA_TOKEN"));
    }
}
