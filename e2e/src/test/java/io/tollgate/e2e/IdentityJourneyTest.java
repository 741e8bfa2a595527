package io.tollgate.e2e;

import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Sign-up to API key, entirely through the gateway's port. */
@ExtendWith(FleetExtension.class)
class IdentityJourneyTest {

    private static final String PASSWORD = "Journey-Pass-1";

    /** The verification secret, read from identity's event the way notification-svc receives it. */
    private static String verificationToken(String userId) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + System.getenv().getOrDefault("TOLLGATE_KAFKA_PORT", "59092"),
                ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of("identity.events"));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    var type = record.headers().lastHeader("ce_type");
                    if (userId.equals(record.key()) && type != null
                            && new String(type.value(), StandardCharsets.UTF_8).equals("tollgate.identity.user.verification_requested.v1")) {
                        Matcher m = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(new String(record.value(), StandardCharsets.UTF_8));
                        if (m.find()) {
                            return m.group(1);
                        }
                    }
                }
            }
        }
        throw new AssertionError("no verification event for " + userId);
    }

    @Test
    void register_verify_sign_in_refresh_and_create_an_api_key(Fleet fleet) {
        String gateway = fleet.gatewayUrl();
        String email = "journey-" + UUID.randomUUID() + "@example.com";
        String register = "{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + PASSWORD
                + "\", \"full_name\": \"Journey User\", \"accept_terms\": true}";
        String userId = given().baseUri(gateway).contentType("application/json").body(register).post("/v1/auth/register")
                .then().statusCode(201).body("verification_required", equalTo(true)).extract().path("user_id");
        given().baseUri(gateway).contentType("application/json").body(register).post("/v1/auth/register")
                .then().statusCode(409).contentType("application/problem+json").body("code", equalTo("EMAIL_TAKEN"));

        given().baseUri(gateway).contentType("application/json").body("{\"token\": \"" + verificationToken(userId) + "\"}")
                .post("/v1/auth/verify/email").then().statusCode(200).body("email_verified", equalTo(true));

        Response login = given().baseUri(gateway).contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\", \"device_name\": \"e2e\"}")
                .post("/v1/auth/login");
        login.then().statusCode(200).body("token_type", equalTo("Bearer")).body("expires_in", equalTo(900))
                .body("user.email_verified", equalTo(true));
        String access = login.path("access_token");

        given().baseUri(gateway).auth().oauth2(access).get("/v1/me").then().statusCode(200)
                .body("id", equalTo(userId)).body("auth.source", equalTo("jwt")).body("email_verified", equalTo(true));

        Response refreshed = given().baseUri(gateway).contentType("application/json")
                .body("{\"refresh_token\": \"" + login.path("refresh_token") + "\"}").post("/v1/auth/refresh");
        refreshed.then().statusCode(200);
        assertNotEquals(login.<String>path("refresh_token"), refreshed.<String>path("refresh_token"));

        given().baseUri(gateway).auth().oauth2(access).get("/v1/auth/sessions").then().statusCode(200)
                .body("meta.total", equalTo(1)).body("data[0].is_current", equalTo(true))
                .body("data[0].ip_address", equalTo("127.0.0.1"));

        Response key = given().baseUri(gateway).auth().oauth2(access).contentType("application/json")
                .body("{\"name\": \"journey\", \"scopes\": [\"render:create\", \"render:read\"], \"rate_limit_rpm\": 60}")
                .post("/v1/api-keys");
        key.then().statusCode(201).body("secret_key", matchesPattern("^tg_live_[0-9A-Za-z]{38}$"));
        given().baseUri(gateway).auth().oauth2(access).get("/v1/api-keys").then().statusCode(200)
                .body("data[0].secret_key", nullValue()).body("data[0].last4", notNullValue());
    }

    @Test
    void the_token_authority_is_public_at_the_gateway(Fleet fleet) {
        String gateway = fleet.gatewayUrl();
        List<String> kids = given().baseUri(gateway).get("/.well-known/jwks.json").then().statusCode(200)
                .extract().jsonPath().getList("keys.kid");
        assertTrue(kids.size() >= 2, "the active key and the pre-published next key (and recently retired ones)");
        given().baseUri(gateway).get("/.well-known/openid-configuration").then().statusCode(200)
                .body("jwks_uri", equalTo(gateway + "/.well-known/jwks.json"));
    }
}
