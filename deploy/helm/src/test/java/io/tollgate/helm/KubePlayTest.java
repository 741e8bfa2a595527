package io.tollgate.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's workloads, as rendered, run under {@code podman kube play} from the local images and
 * become ready against this run's PostgreSQL, Redis and Kafka: the environment the chart wires
 * (ports, each service's database and role, the Secret's keys, the ConfigMaps, the peers' addresses,
 * the security contexts) is what the services need, not only valid YAML.
 *
 * <p>What podman is not, the test stands in for, and only that: there is no cluster DNS and podman
 * 4.3 ignores {@code hostAliases}, so the pods share the host's network and a peer's address
 * {@code http://<Service>:<port>} is read as {@code http://127.0.0.1:<port>}, after checking that the
 * chart renders that Service with that port in front of that peer. podman takes a Secret's data from
 * its own secret store, so the rendered Secret is put there under the same name. A StatefulSet (the
 * proxy node) is played as a Deployment of one, and every workload with one replica, since replicas
 * on one host network would share ports; the containers' port lists are dropped, since on the host's
 * network each port is the host's already and podman refuses to map it; and {@code status.podIP},
 * which podman cannot give, is the host's loopback address. Nothing else of the rendered objects is changed.
 *
 * <p>Runs when {@code ./tollgate test} has set the engine and the base images up
 * ({@code TOLLGATE_IMAGE_CHECK=on}); otherwise it is skipped and says why.
 */
class KubePlayTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String PID = String.valueOf(ProcessHandle.current().pid());
    /** The chart's components (values keys), in the order they are played: identity first, the token authority. */
    private static final List<String> COMPONENTS = List.of("identity", "billing", "proxy", "proxyNode", "render", "notification", "gateway");
    private static final Pattern PEER_URL = Pattern.compile("^http://([a-z0-9-]+):([0-9]+)(/.*)?$");

    private static String server(String property, String local) {
        return System.getProperty(property, local);
    }

    /** A 32-byte key for {@code purpose}, the same on every run; not a development value, so production takes it. */
    private static String key(String purpose) {
        try {
            return Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("tollgate chart check: " + purpose).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(String url) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    /** One workload as played: its component, the pod podman made of it, and its two ports on the host. */
    private record Played(String component, String workload, int http, int management) {
    }

    @Test
    void every_rendered_workload_runs_under_podman_kube_play_from_the_local_images_and_becomes_ready() throws Exception {
        Assumptions.assumeTrue(Podman.available(),
                "the container engine or its base images are not set up here (./tollgate test does it, as root)");
        Podman.buildServiceImages(List.of("identity-svc", "billing-svc", "proxy-svc", "render-svc", "notification-svc", "gateway-svc"));

        String run = UUID.randomUUID().toString().substring(0, 8);
        // two per workload and the data plane's two pools, chosen together so that none repeats
        List<Integer> free = Ports.free(2 * COMPONENTS.size() + 2);
        Map<String, Integer[]> ports = new LinkedHashMap<>();
        for (String component : COMPONENTS) {
            ports.put(component, new Integer[] {free.remove(0), free.remove(0)});
        }
        ports.put("pools", new Integer[] {free.remove(0), free.remove(0)});
        Path values = Files.createTempFile("kube-play-", ".yaml");
        YAML.writeValue(values.toFile(), values(run, ports));
        Chart.Rendered rendered;
        try {
            rendered = Chart.render(Chart.testValues("kube-play.yaml"), values);
        } finally {
            Files.deleteIfExists(values);
        }

        JsonNode secret = rendered.ofKind("Secret").getFirst();
        String secretName = secret.at("/metadata/name").asText();
        List<Played> played = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Map<String, Long> readyMillis = new LinkedHashMap<>();
        int peers = 0;
        try {
            putSecret(secretName, secret);
            // identity alone first: the others fetch its signing keys as they start
            List<List<String>> waves = List.of(List.of("identity"), COMPONENTS.subList(1, COMPONENTS.size()));
            for (List<String> wave : waves) {
                List<JsonNode> documents = new ArrayList<>();
                List<Played> starting = new ArrayList<>();
                for (String component : wave) {
                    JsonNode workload = workloadOf(rendered, component);
                    String name = workload.at("/metadata/name").asText();
                    JsonNode configMap = rendered.named("ConfigMap", name);
                    peers += asPlayable(rendered, (ObjectNode) workload);
                    documents.add(configMap);
                    documents.add(workload);
                    starting.add(new Played(component, name, ports.get(component)[0], ports.get(component)[1]));
                }
                Path file = Files.createTempFile("kube-play-" + run + "-", ".yaml");
                files.add(file);
                StringBuilder yaml = new StringBuilder();
                for (JsonNode document : documents) {
                    yaml.append("---\n").append(YAML.writeValueAsString(document).replaceFirst("^---\n", ""));
                }
                Files.writeString(file, yaml);
                Podman.Result play = Podman.run("kube", "play", file.toString());
                played.addAll(starting);
                assertEquals(0, play.code(), "podman kube play:\n" + play.out() + "\n" + yaml);
                for (Played p : starting) {
                    readyMillis.put(p.component(), awaitReady(p));
                }
            }
            // the wiring between them: the gateway reaches render (the public catalogue) and identity
            // (the signing keys) at the addresses the chart gave it
            Played gateway = played.getLast();
            HttpResponse<String> models = get("http://127.0.0.1:" + gateway.http() + "/v1/models");
            assertTrue(models != null && models.statusCode() == 200, "gateway -> render: " + describe(models));
            assertTrue(JSON.readTree(models.body()).has("data"), models.body());
            HttpResponse<String> jwks = get("http://127.0.0.1:" + gateway.http() + "/.well-known/jwks.json");
            assertTrue(jwks != null && jwks.statusCode() == 200, "gateway -> identity: " + describe(jwks));
            assertFalse(JSON.readTree(jwks.body()).path("keys").isEmpty(), jwks.body());

            for (Played p : played) {
                String container = containerOf(p);
                // the pod's security context: the chart's user, and a root filesystem that cannot be written
                assertEquals("10001", Podman.run("exec", container, "id", "-u").out(), p.component());
                Podman.Result write = Podman.run("exec", container, "touch", "/written");
                assertNotEquals(0, write.code(), p.component() + ": the root filesystem took a write");
                assertTrue(write.out().contains("Read-only file system"), write.out());
                String logs = Podman.run("logs", container).out();
                assertTrue(logs.contains("Profile prod activated"), p.component() + ":\n" + logs);
            }
            System.out.println("[tollgate] chart under podman kube play: " + played.size() + " workloads ready (ms waited for each, in order) "
                    + readyMillis + ", " + peers + " peer addresses checked against their Services");
        } finally {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            // every pod of this run, also those of a play that failed half-way
            List<String> pods = Podman.run("pod", "ps", "-q", "--filter", "label=io.tollgate.run=" + run).out().lines()
                    .filter(id -> !id.isBlank()).toList();
            if (!pods.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("pod", "rm", "-f", "-t", "5"));
                rm.addAll(pods);
                Podman.run(rm.toArray(String[]::new));
            }
            Podman.run("secret", "rm", secretName);
        }
    }

    /** The values of this run: the test's servers, free ports, a database of its own per service, no event traffic. */
    private static Map<String, Object> values(String run, Map<String, Integer[]> ports) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("fullnameOverride", "kp" + run);
        values.put("postgresql", Map.of("host", server("tollgate.pg.host", "127.0.0.1"),
                "port", Integer.parseInt(server("tollgate.pg.port", System.getenv().getOrDefault("TOLLGATE_PG_PORT", "55432")))));
        values.put("redis", Map.of("host", server("tollgate.redis.host", "127.0.0.1"),
                "port", Integer.parseInt(server("tollgate.redis.port", "56379"))));
        values.put("kafka", Map.of("bootstrapServers",
                server("tollgate.kafka.host", "127.0.0.1") + ":" + server("tollgate.kafka.port", "59092")));
        Map<String, Object> secrets = new LinkedHashMap<>();
        Map<String, Object> services = new LinkedHashMap<>();
        for (String component : COMPONENTS) {
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("ports", Map.of("http", ports.get(component)[0], "management", ports.get(component)[1]));
            // the owner labels images.sh clean looks for, should this JVM die with the pods up
            service.put("podLabels", Map.of("io.tollgate.owner", "tests", "io.tollgate.pid", PID, "io.tollgate.run", run));
            String app = component.equals("proxyNode") ? "proxy" : component;
            if (!app.equals("gateway")) {
                service.put("database", Map.of("name", app + "_chart", "username", app + "_chart"));
                secrets.put(app + "-db-password", app + "_chart");
            }
            services.put(component, service);
        }
        Integer[] pool = ports.get("pools");
        @SuppressWarnings("unchecked")
        Map<String, Object> node = (Map<String, Object>) services.get("proxyNode");
        node.put("dataPlane", Map.of("poolHttpPort", pool[0], "poolSocksPort", pool[1]));
        values.put("services", services);
        // what the services seal in their databases must open on the next run: the keys of sealing the same
        // each run, as an operator keeps them; the client secrets are left for the chart to make up
        for (String key : List.of("identity-data-key", "proxy-data-key", "render-data-key", "notification-data-key",
                "events-seal-key", "pages-link-key", "notification-unsubscribe-key", "render-assets-signing-key")) {
            secrets.put(key, key(key));
        }
        secrets.put("billing-stripe-secret-key", "sk_live_" + run + run);
        secrets.put("billing-stripe-webhook-secret", "whsec_" + run + run);
        secrets.put("billing-yookassa-secret-key", "live_" + run + run);
        secrets.put("billing-coingate-api-token", run + run + run);
        values.put("secrets", Map.of("values", secrets));
        return values;
    }

    private static JsonNode workloadOf(Chart.Rendered rendered, String component) {
        String label = switch (component) {
            case "proxyNode" -> "proxy-node";
            default -> component;
        };
        return rendered.workloads().stream()
                .filter(w -> label.equals(Chart.Rendered.component(w)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no workload for " + component));
    }

    /**
     * What podman cannot take as rendered, made playable (see the class comment); answers how many
     * peer addresses were checked against their Services.
     */
    private static int asPlayable(Chart.Rendered rendered, ObjectNode workload) {
        ObjectNode spec = (ObjectNode) workload.get("spec");
        if ("StatefulSet".equals(workload.path("kind").asText())) {
            workload.put("kind", "Deployment");
            spec.remove(List.of("serviceName", "podManagementPolicy", "volumeClaimTemplates", "updateStrategy"));
        }
        spec.put("replicas", 1);
        ObjectNode pod = (ObjectNode) spec.at("/template/spec");
        pod.put("hostNetwork", true);
        int peers = 0;
        for (JsonNode container : pod.path("containers")) {
            // on the host's network a containerPort is the host's port already; podman 4.3 refuses to map it
            ((ObjectNode) container).remove("ports");
            for (JsonNode env : container.path("env")) {
                if ("status.podIP".equals(env.at("/valueFrom/fieldRef/fieldPath").asText())) {
                    // podman 4.3 knows no status.podIP; on the host's network the pod's address is the host's
                    ((ObjectNode) env).remove("valueFrom");
                    ((ObjectNode) env).put("value", "127.0.0.1");
                    continue;
                }
                if (!env.has("value")) {
                    continue;
                }
                Matcher url = PEER_URL.matcher(env.path("value").asText());
                if (!url.matches()) {
                    continue;
                }
                String service = url.group(1);
                int port = Integer.parseInt(url.group(2));
                JsonNode target = rendered.named("Service", service);
                assertTrue(Chart.Rendered.list(target.at("/spec/ports")).stream().anyMatch(p -> p.path("port").asInt() == port),
                        env + ": the Service " + service + " has no port " + port);
                ((ObjectNode) env).put("value", "http://127.0.0.1:" + port + (url.group(3) == null ? "" : url.group(3)));
                peers++;
            }
        }
        return peers;
    }

    /** The rendered Secret in podman's secret store, where kube play's secretKeyRef looks: a JSON map of base64 values. */
    private static void putSecret(String name, JsonNode secret) throws Exception {
        ObjectNode data = JSON.createObjectNode();
        secret.path("data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
        secret.path("stringData").properties().forEach(e -> data.put(e.getKey(),
                Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
        assertFalse(data.isEmpty(), "the chart's Secret has no data");
        Path file = Files.createTempFile("kube-play-secret-", ".json");
        try {
            Files.writeString(file, JSON.writeValueAsString(data));
            Podman.run("secret", "rm", name);
            Podman.Result created = Podman.run("secret", "create", name, file.toString());
            assertEquals(0, created.code(), created.out());
        } finally {
            Files.delete(file);
        }
    }

    /** The one application container of the workload's pod. */
    private static String containerOf(Played p) throws Exception {
        Podman.Result names = Podman.run("ps", "-a", "--filter", "pod=" + p.workload() + "-pod-0", "--format", "{{.Names}}");
        List<String> app = names.out().lines().filter(n -> !n.endsWith("-infra") && !n.isBlank()).toList();
        assertEquals(1, app.size(), p.workload() + ": " + names.out());
        return app.getFirst();
    }

    /** Waits until the workload's readiness answers UP with every check UP; answers how long it took (ms). */
    private static long awaitReady(Played p) throws Exception {
        long began = System.nanoTime();
        String url = "http://127.0.0.1:" + p.management() + "/q/health/ready";
        HttpResponse<String> ready = null;
        long deadline = began + Duration.ofSeconds(180).toNanos();
        String container = containerOf(p);
        while (System.nanoTime() < deadline) {
            ready = get(url);
            if (ready != null && ready.statusCode() == 200) {
                break;
            }
            String state = Podman.run("inspect", "--format", "{{.State.Status}}", container).out();
            assertEquals("running", state, p.component() + " stopped before it was ready:\n" + Podman.run("logs", container).out());
            Thread.sleep(250);
        }
        long took = Duration.ofNanos(System.nanoTime() - began).toMillis();
        assertTrue(ready != null && ready.statusCode() == 200,
                p.component() + " not ready within 180 s: " + describe(ready) + "\n" + Podman.run("logs", container).out());
        JsonNode health = JSON.readTree(ready.body());
        assertEquals("UP", health.path("status").asText(), ready.body());
        assertFalse(health.path("checks").isEmpty(), ready.body());
        for (JsonNode check : health.path("checks")) {
            assertEquals("UP", check.path("status").asText(), p.component() + ": " + check);
        }
        // started and live answer too: the chart's other two probes
        for (String probe : List.of("started", "live")) {
            HttpResponse<String> answer = get("http://127.0.0.1:" + p.management() + "/q/health/" + probe);
            assertTrue(answer != null && answer.statusCode() == 200, p.component() + " " + probe + ": " + describe(answer));
        }
        return took;
    }

    private static String describe(HttpResponse<String> response) {
        return response == null ? "no answer" : response.statusCode() + " " + response.body();
    }
}
