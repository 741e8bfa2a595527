package io.tollgate.e2e;

import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public door with real identity tokens and keys: who gets in, who is turned away, and how fast. */
@ExtendWith(FleetExtension.class)
class GatewayJourneyTest {

    private static String createKey(Fleet fleet, Journeys.Account account, String body) {
        return Journeys.at(fleet.gatewayUrl(), account.ip()).auth().oauth2(account.accessToken())
                .contentType("application/json").body(body).post("/v1/api-keys")
                .then().statusCode(201).extract().asString();
    }

    private static String field(String json, String name) {
        return io.restassured.path.json.JsonPath.from(json).getString(name);
    }

    /** Polls until {@code call} answers {@code status}; returns how long that took after the change. */
    private static long refusedWithin(Supplier<Response> call, int status, String code) {
        long started = System.nanoTime();
        while (System.nanoTime() - started < 5_000_000_000L) {
            Response response = call.get();
            if (response.statusCode() == status) {
                assertEquals(code, response.path("code"));
                return (System.nanoTime() - started) / 1_000_000;
            }
            sleep(20);
        }
        throw new AssertionError("still admitted 5 s after the change");
    }

    @Test
    void an_api_key_works_as_bearer_or_header_within_its_scopes_and_never_on_jwt_only_routes(Fleet fleet) {
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        String created = createKey(fleet, account, "{\"name\": \"reader\", \"scopes\": [\"account:read\"]}");
        String secret = field(created, "secret_key");

        Journeys.at(gateway, account.ip()).header("X-API-Key", secret).get("/v1/me").then().statusCode(200)
                .body("id", equalTo(account.userId())).body("auth.source", equalTo("api_key"))
                .body("auth.api_key_id", equalTo(field(created, "id")));
        Journeys.at(gateway, account.ip()).auth().oauth2(secret).get("/v1/me").then().statusCode(200)
                .body("id", equalTo(account.userId()));
        Journeys.at(gateway, account.ip()).auth().oauth2(secret).get("/v1/api-keys").then().statusCode(403)
                .body("code", equalTo("JWT_ONLY"));
        Journeys.at(gateway, account.ip()).auth().oauth2(secret).get("/v1/billing/balance").then().statusCode(403)
                .body("code", equalTo("INSUFFICIENT_SCOPE"));
        Journeys.at(gateway, account.ip()).auth().oauth2("tg_live_" + "0".repeat(38)).get("/v1/me").then().statusCode(401);
    }

    @Test
    void a_keys_allowed_addresses_hold_for_cached_grants_too(Fleet fleet) {
        var account = Journeys.newUser(fleet);
        String secret = field(createKey(fleet, account,
                "{\"name\": \"office\", \"scopes\": [\"account:read\"], \"allowed_ips\": [\"203.0.113.0/24\"]}"), "secret_key");
        Journeys.at(fleet.gatewayUrl(), "203.0.113.7").header("X-API-Key", secret).get("/v1/me").then().statusCode(200);
        // the grant is cached now; another address is still refused
        Journeys.at(fleet.gatewayUrl(), "198.51.100.20").header("X-API-Key", secret).get("/v1/me").then().statusCode(403)
                .body("code", equalTo("IP_NOT_ALLOWED"));
        Journeys.at(fleet.gatewayUrl(), "203.0.113.200").header("X-API-Key", secret).get("/v1/me").then().statusCode(200);
    }

    @Test
    void forged_identity_headers_change_nothing(Fleet fleet) {
        var me = Journeys.newUser(fleet);
        var other = Journeys.newUser(fleet);
        Journeys.at(fleet.gatewayUrl(), me.ip()).auth().oauth2(me.accessToken())
                .header("X-User-Id", other.userId()).header("X-Tenant-Id", UUID.randomUUID().toString())
                .header("X-Auth-Source", "service").get("/v1/me")
                .then().statusCode(200).body("id", equalTo(me.userId()));
    }

    @Test
    void a_revoked_session_is_refused_within_a_second(Fleet fleet) {
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/me").then().statusCode(200);
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).post("/v1/auth/logout").then().statusCode(204);
        long ms = refusedWithin(() -> Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/me"),
                401, "SESSION_REVOKED");
        assertTrue(ms < 1_000, "session refused after " + ms + " ms");
    }

    @Test
    void revoked_and_regenerated_keys_are_refused_within_a_second(Fleet fleet) {
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        String created = createKey(fleet, account, "{\"name\": \"rotating\", \"scopes\": [\"account:read\"]}");
        String id = field(created, "id");
        String old = field(created, "secret_key");
        Journeys.at(gateway, account.ip()).header("X-API-Key", old).get("/v1/me").then().statusCode(200);

        String fresh = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                .post("/v1/api-keys/" + id + "/regenerate").then().statusCode(200).extract().path("secret_key");
        long regenerated = refusedWithin(() -> Journeys.at(gateway, account.ip()).header("X-API-Key", old).get("/v1/me"),
                401, "INVALID_API_KEY");
        assertTrue(regenerated < 1_000, "old secret refused after " + regenerated + " ms");
        Journeys.at(gateway, account.ip()).header("X-API-Key", fresh).get("/v1/me").then().statusCode(200);

        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .post("/v1/api-keys/" + id + "/revoke").then().statusCode(200);
        long revoked = refusedWithin(() -> Journeys.at(gateway, account.ip()).header("X-API-Key", fresh).get("/v1/me"),
                401, "API_KEY_REVOKED");
        assertTrue(revoked < 1_000, "revoked key refused after " + revoked + " ms");
    }

    @Test
    void a_banned_user_is_refused_within_a_second_by_token_and_by_key(Fleet fleet) {
        var admin = Journeys.admin(fleet);
        var user = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        String secret = field(createKey(fleet, user, "{\"name\": \"k\", \"scopes\": [\"account:read\"]}"), "secret_key");
        Journeys.at(gateway, user.ip()).header("X-API-Key", secret).get("/v1/me").then().statusCode(200);

        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body("{\"reason\": \"e2e\"}").post("/v1/admin/users/" + user.userId() + "/ban").then().statusCode(200);
        // the ban also ends the user's sessions; whichever of the two events lands first refuses the token
        long started = System.nanoTime();
        int status;
        while ((status = Journeys.at(gateway, user.ip()).auth().oauth2(user.accessToken()).get("/v1/me").statusCode()) == 200) {
            assertTrue(System.nanoTime() - started < 5_000_000_000L, "still admitted 5 s after the ban");
            sleep(20);
        }
        long byToken = (System.nanoTime() - started) / 1_000_000;
        assertTrue(status == 401 || status == 403, "refused with " + status);
        assertTrue(byToken < 1_000, "banned user's token refused after " + byToken + " ms");
        long byKey = refusedWithin(() -> Journeys.at(gateway, user.ip()).header("X-API-Key", secret).get("/v1/me"),
                403, "USER_BANNED");
        assertTrue(byKey < 1_000, "banned user's key refused after " + byKey + " ms");

        Journeys.at(gateway, user.ip()).auth().oauth2(admin.accessToken()).get("/v1/admin/users/" + user.userId())
                .then().statusCode(200);
        Journeys.at(gateway, user.ip()).auth().oauth2(user.accessToken()).get("/v1/admin/users").then().statusCode(403);
    }

    @Test
    void a_keys_rpm_is_exact(Fleet fleet) {
        var account = Journeys.newUser(fleet);
        String secret = field(createKey(fleet, account,
                "{\"name\": \"slow\", \"scopes\": [\"account:read\"], \"rate_limit_rpm\": 10}"), "secret_key");
        for (int i = 1; i <= 10; i++) {
            Response ok = Journeys.at(fleet.gatewayUrl(), account.ip()).header("X-API-Key", secret).get("/v1/me");
            assertEquals(200, ok.statusCode(), "request " + i + " of 10");
        }
        Journeys.at(fleet.gatewayUrl(), account.ip()).header("X-API-Key", secret).get("/v1/me").then().statusCode(429)
                .body("code", equalTo("RATE_LIMITED")).header("Retry-After", not(equalTo(null)));
    }

    @Test
    void two_gateways_share_one_count(Fleet fleet) throws Exception {
        try (Fleet.Extra second = fleet.startExtraGateway()) {
            String ip = Journeys.randomIp();
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String base = i % 2 == 0 ? fleet.gatewayUrl() : second.url();
                calls.add(() -> Journeys.at(base, ip).contentType("application/json")
                        .body("{\"tenant_slug\": \"default\", \"email\": \"nobody-" + UUID.randomUUID() + "@example.com\"}")
                        .post("/v1/auth/password/reset/request"));
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            int admitted = 0;
            int limited = 0;
            try {
                for (Future<Response> f : pool.invokeAll(calls)) {
                    Response response = f.get();
                    if (response.statusCode() == 429) {
                        limited++;
                    } else {
                        assertEquals(202, response.statusCode(), response.asString());
                        admitted++;
                    }
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(5, admitted, "exactly the per-address auth limit across both instances");
            assertEquals(35, limited);
        }
    }

    @Test
    void tenant_origins_open_cors_as_soon_as_identity_announces_them(Fleet fleet) {
        var admin = Journeys.admin(fleet);
        String gateway = fleet.gatewayUrl();
        String slug = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        String origin = "https://" + slug + ".shop.example";
        String tenantId = Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body("{\"slug\": \"" + slug + "\", \"name\": \"Shop\", \"contact_email\": \"ops@" + slug + ".example\"}")
                .post("/v1/tenants").then().statusCode(201).extract().path("id");
        given().baseUri(gateway).header("Origin", origin).header("Access-Control-Request-Method", "GET")
                .options("/v1/me").then().statusCode(403).body("code", equalTo("CORS_ORIGIN_NOT_ALLOWED"));
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body("{\"allowed_origins\": [\"" + origin + "\"]}").patch("/v1/tenants/" + tenantId).then().statusCode(200);
        long started = System.nanoTime();
        while (given().baseUri(gateway).header("Origin", origin).header("Access-Control-Request-Method", "GET")
                .options("/v1/me").statusCode() != 204) {
            assertTrue(System.nanoTime() - started < 5_000_000_000L, "origin not allowed 5 s after the change");
            sleep(20);
        }
        // a member of another tenant (the default one) does not get the origin's CORS headers
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).header("Origin", origin).get("/v1/me")
                .then().statusCode(200).header("Access-Control-Allow-Origin", equalTo(null));
    }

    @Test
    void the_public_api_is_documented_in_one_place(Fleet fleet) {
        given().baseUri(fleet.gatewayUrl()).get("/v1/openapi.json").then().statusCode(200)
                .body("paths", hasKey("/v1/auth/login"))
                .body("paths", hasKey("/v1/me"))
                .body("paths", not(hasKey("/internal/api-keys/exchange")))
                .body("components.securitySchemes", hasKey("apiKey"));
        given().baseUri(fleet.gatewayUrl()).get("/v1/docs/").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("swagger"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
