package io.tollgate.identity.support;

import io.restassured.response.Response;

import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Registers and signs in real accounts through the public API. */
public final class Accounts {

    public static final String PASSWORD = "Correct-Horse-7";

    private Accounts() {
    }

    public static String newEmail() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    public static Response register(String email) {
        return given().contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\", \"full_name\": \"Test User\", "
                        + "\"accept_terms\": true}")
                .post("/v1/auth/register");
    }

    /** A documentation-range address per call, so per-IP lockouts of one test never hit another. */
    public static String someIp() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return "198.51." + r.nextInt(256) + "." + r.nextInt(1, 255);
    }

    public static Response login(String email, String password) {
        return login(email, password, someIp());
    }

    public static Response login(String email, String password, String ip) {
        return given().contentType("application/json").header("User-Agent", "tests/1.0").header("X-Forwarded-For", ip)
                .body("{\"email\": \"" + email + "\", \"password\": \"" + password + "\", \"device_name\": \"laptop\"}")
                .post("/v1/auth/login");
    }

    /** A registered, signed-in account. */
    public record Account(String email, String userId, String accessToken, String refreshToken) {
    }

    public static Account signedIn() {
        String email = newEmail();
        String userId = register(email).then().statusCode(201).extract().path("user_id");
        Response login = login(email, PASSWORD);
        login.then().statusCode(200);
        return new Account(email, userId, login.path("access_token"), login.path("refresh_token"));
    }
}
