package io.tollgate.e2e;

import io.restassured.path.json.JsonPath;
import io.tollgate.kit.testing.Podman;
import io.tollgate.kit.testing.Ports;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every service's image, as {@code deploy/images/images.sh services} builds it, starts with nothing but
 * environment configuration (the production profile: no development secret, every key from the
 * environment as the chart gives it) and becomes ready against this run's PostgreSQL, Redis and
 * Kafka: the containers in {@code --infra=containers}, the local servers otherwise. It runs on the
 * host's network, so the servers are where the test JVM sees them. The image is built (or found
 * current) from what this build packaged. Needs the container engine (podman) and the base
 * images, which {@code ./tollgate test} sets up and then says so ({@code TOLLGATE_IMAGE_CHECK=on});
 * without them it is skipped and says why.
 */
class ServiceImageTest {

    private static final String PID = String.valueOf(ProcessHandle.current().pid());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * A 32-byte key for {@code purpose}: the same on every run, because what a service sealed with it
     * in its database must open again on the next run; not a development value, so the production
     * profile takes it.
     */
    private static String key(String purpose) {
        try {
            byte[] bytes = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("tollgate service image check: " + purpose).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String server(String property, String fallback) {
        return System.getProperty(property, fallback);
    }

    private static HttpResponse<String> get(String url) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    /** A service's container: its name, and its two ports on the host's network. */
    private record Running(String service, String container, int port, int management) {
    }

    private static final List<String> SERVICES = List.of("identity", "billing", "proxy", "render", "notification", "gateway");

    @Test
    void every_service_image_starts_from_environment_configuration_alone_and_serves_against_the_runs_servers() throws Exception {
        // ./tollgate test sets the engine and the base images up first, and says here whether it could
        Assumptions.assumeTrue(Podman.available(),
                "the container engine or its base images are not set up here (./tollgate test does it, as root)");
        // the images of this tree: the modules were packaged earlier in this build, so images.sh only
        // builds (or finds current) the images of what was packaged
        Podman.buildServiceImages(SERVICES.stream().map(service -> service + "-svc").toList());

        // the deployment's own secrets, as the chart's Secret holds them (production refuses development values);
        // the same each run, since what the services seal in their databases must open on the next
        Map<String, String> clientSecrets = new LinkedHashMap<>();
        SERVICES.stream().filter(s -> !s.equals("identity")).forEach(s -> clientSecrets.put(s, key(s + " client secret")));
        String sealKey = key("events seal");
        String linkKey = key("pages links");
        List<Running> running = new ArrayList<>();
        Map<String, Long> readyMillis = new LinkedHashMap<>();
        Map<String, List<String>> checks = new LinkedHashMap<>();
        try {
            String identityUrl = null;
            for (String service : SERVICES) {
                Map<String, String> env = new LinkedHashMap<>();
                List<Integer> free = Ports.free(2);
                int port = free.get(0);
                int management = free.get(1);
                // where to listen: the host's network, on loopback
                env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
                env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
                env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
                env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
                // the servers: as the chart sets them
                env.put("TOLLGATE_PG_HOST", server("tollgate.pg.host", "127.0.0.1"));
                env.put("TOLLGATE_PG_PORT", server("tollgate.pg.port", System.getenv().getOrDefault("TOLLGATE_PG_PORT", "55432")));
                env.put("TOLLGATE_REDIS_HOST", server("tollgate.redis.host", "127.0.0.1"));
                env.put("TOLLGATE_REDIS_PORT", server("tollgate.redis.port", "56379"));
                env.put("TOLLGATE_KAFKA_HOST", server("tollgate.kafka.host", "127.0.0.1"));
                env.put("TOLLGATE_KAFKA_PORT", server("tollgate.kafka.port", "59092"));
                // a database of its own (the services under test and the fleet keep theirs), and none of
                // the fleet's events taken or given: its consumers and its outbox relay stay off, its
                // Kafka connection is still part of its readiness
                env.put("TOLLGATE_DB_NAME", service + "_image");
                env.put("TOLLGATE_CONSUMERS_ENABLED", "false");
                env.put("TOLLGATE_OUTBOX_RELAY_ENABLED", "false");
                env.put("TOLLGATE_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
                env.put("TOLLGATE_EVENTS_SEAL_KEY", sealKey);
                env.put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED");
                if (identityUrl != null) {
                    env.put("TOLLGATE_IDENTITY_URL", identityUrl);
                    env.put("TOLLGATE_JWKS_URL", identityUrl + "/.well-known/jwks.json");
                    env.put("TOLLGATE_SERVICE_CLIENT_SECRET", clientSecrets.get(service));
                }
                switch (service) {
                    case "identity" -> {
                        env.put("TOLLGATE_IDENTITY_DATA_KEY", key("identity data"));
                        clientSecrets.forEach((client, secret) -> env.put("TOLLGATE_IDENTITY_CLIENT_SECRETS_"
                                + client.toUpperCase(java.util.Locale.ROOT), secret));
                        env.put("TOLLGATE_JWKS_URL", "http://127.0.0.1:" + port + "/.well-known/jwks.json");
                    }
                    case "billing" -> {
                        env.put("TOLLGATE_PAGES_LINK_KEY", linkKey);
                        env.put("TOLLGATE_BILLING_STRIPE_SECRET_KEY", "sk_live_" + UUID.randomUUID().toString().replace("-", ""));
                        env.put("TOLLGATE_BILLING_STRIPE_WEBHOOK_SECRET", "whsec_" + UUID.randomUUID().toString().replace("-", ""));
                        env.put("TOLLGATE_BILLING_YOOKASSA_SHOP_ID", "500100");
                        env.put("TOLLGATE_BILLING_YOOKASSA_SECRET_KEY", "live_" + UUID.randomUUID().toString().replace("-", ""));
                        env.put("TOLLGATE_BILLING_COINGATE_API_TOKEN", UUID.randomUUID().toString().replace("-", ""));
                    }
                    case "proxy" -> {
                        env.put("TOLLGATE_PROXY_DATA_KEY", key("proxy data"));
                        // the API alone: this check opens no data-plane listener on the host
                        env.put("TOLLGATE_PROXY_DATAPLANE_ENABLED", "false");
                    }
                    case "render" -> {
                        env.put("TOLLGATE_RENDER_DATA_KEY", key("render data"));
                        env.put("TOLLGATE_RENDER_ASSETS_SIGNING_KEY", key("render assets"));
                        env.put("TOLLGATE_RENDER_ASSETS_DIR", "/tmp/render-assets");
                    }
                    case "notification" -> {
                        env.put("TOLLGATE_PAGES_LINK_KEY", linkKey);
                        env.put("TOLLGATE_NOTIFICATION_DATA_KEY", key("notification data"));
                        env.put("TOLLGATE_NOTIFICATION_UNSUBSCRIBE_KEY", key("unsubscribe"));
                    }
                    default -> {
                    }
                }
                Running started = start(service, port, management, env);
                running.add(started);
                Ready ready = awaitReady(started);
                readyMillis.put(service + "-svc", ready.took());
                checks.put(service, ready.checks());
                if (service.equals("identity")) {
                    identityUrl = "http://127.0.0.1:" + port;
                    // the token authority publishes its signing keys from its own database
                    HttpResponse<String> jwks = get(identityUrl + "/.well-known/jwks.json");
                    assertTrue(jwks != null && jwks.statusCode() == 200, String.valueOf(jwks));
                    assertFalse(new JsonPath(jwks.body()).getList("keys").isEmpty(), jwks.body());
                }
            }
            for (Running r : running) {
                // the production profile, and the image's non-root user
                assertEquals("185", Podman.run("exec", r.container(), "id", "-u").out(), r.service());
                String logs = Podman.run("logs", r.container()).out();
                assertTrue(logs.contains("Profile prod activated"), r.service() + ":\n" + logs);
            }
            System.out.println("[tollgate] service images ready (ms from podman run): " + readyMillis + "; checks " + checks);
        } finally {
            for (Running r : running) {
                Podman.run("rm", "-f", "-t", "5", r.container());
            }
        }
    }

    private static Running start(String service, int port, int management, Map<String, String> env) throws Exception {
        String name = "tollgate-image-test-" + service + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", name, "--network=host",
                "--label", "io.tollgate.owner=tests", "--label", "io.tollgate.pid=" + PID));
        env.forEach((k, v) -> {
            run.add("-e");
            run.add(k + "=" + v);
        });
        run.add("localhost/tollgate/" + service + "-svc:0.1.0-SNAPSHOT");
        Podman.Result started = Podman.run(run.toArray(String[]::new));
        assertEquals(0, started.code(), started.out());
        return new Running(service, name, port, management);
    }

    /** A service's readiness: how long it took from its start (ms), and the checks it answered UP. */
    private record Ready(long took, List<String> checks) {
    }

    /** Waits until the service's readiness answers UP with every check UP. */
    private static Ready awaitReady(Running r) throws Exception {
        long began = System.nanoTime();
        String url = "http://127.0.0.1:" + r.management() + "/q/health/ready";
        HttpResponse<String> ready = null;
        long deadline = began + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            ready = get(url);
            if (ready != null && ready.statusCode() == 200) {
                break;
            }
            assertEquals("running", Podman.run("inspect", "--format", "{{.State.Status}}", r.container()).out(),
                    r.service() + " stopped before it was ready:\n" + Podman.run("logs", r.container()).out());
            Thread.sleep(200);
        }
        long took = Duration.ofNanos(System.nanoTime() - began).toMillis();
        assertTrue(ready != null && ready.statusCode() == 200, r.service() + " not ready within 120 s:\n" + Podman.run("logs", r.container()).out());
        // ready means its database, Redis and Kafka (those it uses) answered
        JsonPath health = new JsonPath(ready.body());
        assertEquals("UP", health.getString("status"), ready.body());
        assertFalse(health.getList("checks.name").isEmpty(), ready.body());
        assertTrue(health.getList("checks.status").stream().allMatch("UP"::equals), ready.body());
        return new Ready(took, health.getList("checks.name"));
    }
}
