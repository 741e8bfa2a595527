package io.tollgate.e2e;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;

/** Steps many journeys share: a client at its own address, and a verified, signed-in account. */
final class Journeys {

    static final String PASSWORD = "Journey-Pass-1";

    /** A signed-in user and the address it calls from. */
    record Account(String userId, String email, String accessToken, String refreshToken, String ip) {
    }

    private Journeys() {
    }

    /** A documentation-range address, so each journey has its own per-address rate buckets. */
    static String randomIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "198.18." + r.nextInt(256) + "." + r.nextInt(1, 255);
    }

    /** Requests to {@code baseUrl} as a client at {@code ip} (the gateway trusts loopback's X-Forwarded-For). */
    static RequestSpecification at(String baseUrl, String ip) {
        return given().baseUri(baseUrl).header("X-Forwarded-For", ip);
    }

    static Account signUp(Fleet fleet, String email) {
        String ip = randomIp();
        String gateway = fleet.gatewayUrl();
        String register = "{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + PASSWORD
                + "\", \"full_name\": \"Journey User\", \"accept_terms\": true}";
        String userId = at(gateway, ip).contentType("application/json").body(register).post("/v1/auth/register")
                .then().statusCode(201).extract().path("user_id");
        at(gateway, ip).contentType("application/json").body("{\"token\": \"" + verificationToken(userId) + "\"}")
                .post("/v1/auth/verify/email").then().statusCode(200);
        return signIn(fleet, userId, email, ip);
    }

    static Account signIn(Fleet fleet, String userId, String email, String ip) {
        Response login = at(fleet.gatewayUrl(), ip).contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\", \"device_name\": \"e2e\"}")
                .post("/v1/auth/login");
        login.then().statusCode(200);
        return new Account(userId, email, login.path("access_token"), login.path("refresh_token"), ip);
    }

    private static Account admin;

    /** The run's platform administrator, registered with the address the fleet declares as admin. */
    static synchronized Account admin(Fleet fleet) {
        if (admin == null) {
            admin = signUp(fleet, Fleet.ADMIN_EMAIL);
        }
        return admin;
    }

    static Account newUser(Fleet fleet) {
        return signUp(fleet, "journey-" + UUID.randomUUID() + "@example.com");
    }

    /** The verification secret, read from identity's event the way notification-svc receives it. */
    static String verificationToken(String userId) {
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
}
