package io.tollgate.helm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Rules every render must keep, checked on the default, the production and the all-options values. */
class PolicyTest {

    /** Environment names that carry a secret by their meaning; none may come from a ConfigMap. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(PASSWORD|_SECRET|SECRET_KEY|API_KEY|API_TOKEN|DATA_KEY|SIGNING_KEY|LINK_KEY|SEAL_KEY|UNSUBSCRIBE_KEY|ACCESS_KEY|CLIENT_SECRETS_.*)$");

    private static Chart.Rendered render(String profile) {
        return switch (profile) {
            case "default" -> Chart.render();
            case "production" -> Chart.render(Chart.PRODUCTION);
            default -> Chart.render(Chart.testValues(profile + ".yaml"));
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "production", "all-options"})
    void every_container_has_limits_probes_and_a_hardened_non_root_context(String profile) {
        Chart.Rendered rendered = render(profile);
        List<String> problems = new ArrayList<>();
        for (JsonNode workload : rendered.workloads()) {
            String name = workload.at("/metadata/name").asText();
            JsonNode pod = workload.at("/spec/template/spec");
            if (!pod.at("/securityContext/runAsNonRoot").asBoolean(false)) {
                problems.add(name + ": the pod may run as root");
            }
            if (!"RuntimeDefault".equals(pod.at("/securityContext/seccompProfile/type").asText())) {
                problems.add(name + ": no RuntimeDefault seccomp profile");
            }
            if (pod.path("automountServiceAccountToken").asBoolean(true)) {
                problems.add(name + ": mounts a service account token it does not use");
            }
            List<JsonNode> containers = new ArrayList<>(Chart.Rendered.list(pod.path("containers")));
            containers.addAll(Chart.Rendered.list(pod.path("initContainers")));
            for (JsonNode c : containers) {
                String id = name + "/" + c.path("name").asText();
                if (c.at("/resources/limits/cpu").isMissingNode() || c.at("/resources/limits/memory").isMissingNode()) {
                    problems.add(id + ": no CPU and memory limits");
                }
                if (c.at("/resources/requests/cpu").isMissingNode() || c.at("/resources/requests/memory").isMissingNode()) {
                    problems.add(id + ": no CPU and memory requests");
                }
                JsonNode sc = c.path("securityContext");
                if (!sc.path("runAsNonRoot").asBoolean(false) || sc.path("runAsUser").asInt(0) == 0) {
                    problems.add(id + ": not pinned to a non-root user");
                }
                if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                    problems.add(id + ": writable root filesystem");
                }
                if (sc.path("allowPrivilegeEscalation").asBoolean(true) || sc.path("privileged").asBoolean(false)) {
                    problems.add(id + ": may escalate privileges");
                }
                if (!Chart.Rendered.list(sc.at("/capabilities/drop")).stream().map(JsonNode::asText).toList().contains("ALL")) {
                    problems.add(id + ": keeps Linux capabilities");
                }
                probe(c, "startupProbe", "/q/health/started", id, problems);
                probe(c, "livenessProbe", "/q/health/live", id, problems);
                probe(c, "readinessProbe", "/q/health/ready", id, problems);
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    private static void probe(JsonNode container, String kind, String path, String id, List<String> problems) {
        JsonNode probe = container.path(kind).path("httpGet");
        if (!path.equals(probe.path("path").asText()) || !"management".equals(probe.path("port").asText())) {
            problems.add(id + ": " + kind + " is not " + path + " on the management port");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "production", "all-options"})
    void every_workload_is_covered_by_a_pdb_and_a_network_policy_and_every_deployment_by_an_hpa(String profile) {
        Chart.Rendered rendered = render(profile);
        List<String> problems = new ArrayList<>();
        for (JsonNode workload : rendered.workloads()) {
            String name = workload.at("/metadata/name").asText();
            JsonNode podLabels = workload.at("/spec/template/metadata/labels");
            if (rendered.ofKind("PodDisruptionBudget").stream().noneMatch(p -> selects(p.at("/spec/selector/matchLabels"), podLabels))) {
                problems.add(name + ": no PodDisruptionBudget selects its pods");
            }
            if (rendered.ofKind("NetworkPolicy").stream().noneMatch(p -> selects(p.at("/spec/podSelector/matchLabels"), podLabels))) {
                problems.add(name + ": no NetworkPolicy selects its pods");
            }
            if ("Deployment".equals(workload.path("kind").asText()) && rendered.ofKind("HorizontalPodAutoscaler").stream()
                    .noneMatch(h -> name.equals(h.at("/spec/scaleTargetRef/name").asText())
                            && "Deployment".equals(h.at("/spec/scaleTargetRef/kind").asText()))) {
                problems.add(name + ": a stateless Deployment without an HPA");
            }
        }
        for (JsonNode policy : rendered.ofKind("NetworkPolicy")) {
            assertEquals(List.of("Ingress", "Egress"),
                    Chart.Rendered.list(policy.at("/spec/policyTypes")).stream().map(JsonNode::asText).toList());
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    private static boolean selects(JsonNode matchLabels, JsonNode labels) {
        if (matchLabels.isMissingNode() || matchLabels.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> label : matchLabels.properties()) {
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "all-options"})
    void only_the_gateway_and_the_proxy_data_plane_admit_traffic_from_anywhere(String profile) {
        Chart.Rendered rendered = render(profile);
        Set<String> open = new HashSet<>();
        for (JsonNode policy : rendered.ofKind("NetworkPolicy")) {
            for (JsonNode rule : policy.at("/spec/ingress")) {
                if (!rule.has("from") || rule.path("from").isEmpty()) {
                    open.add(Chart.Rendered.component(policy));
                }
            }
        }
        assertEquals(Set.of("gateway", "proxy-node"), open);
        JsonNode gatewayPolicy = rendered.ofKind("NetworkPolicy").stream()
                .filter(p -> "gateway".equals(Chart.Rendered.component(p))).findFirst().orElseThrow();
        JsonNode openRule = Chart.Rendered.list(gatewayPolicy.at("/spec/ingress")).stream()
                .filter(r -> !r.has("from")).findFirst().orElseThrow();
        assertEquals(List.of(8080), Chart.Rendered.list(openRule.path("ports")).stream().map(p -> p.path("port").asInt()).toList(),
                "the gateway is open on its public port only, never on its management port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "all-options"})
    void spans_leave_only_for_a_named_collector_and_each_component_may_reach_it(String profile) {
        Chart.Rendered rendered = render(profile);
        boolean collector = profile.equals("all-options");
        List<String> problems = new ArrayList<>();
        for (JsonNode workload : rendered.workloads()) {
            String name = workload.at("/metadata/name").asText();
            Map<String, String> env = rendered.environment(workload);
            String endpoint = env.get("TOLLGATE_TRACING_OTLP_ENDPOINT");
            String expected = collector ? "http://otel-collector.observability:4318" : "";
            if (!expected.equals(endpoint)) {
                problems.add(name + ": exports to '" + endpoint + "', not '" + expected + "'");
            }
            if (!String.valueOf(env.get("TOLLGATE_TRACING_OTLP_HEADERS")).contains("tracing-otlp-headers")) {
                problems.add(name + ": the collector's headers do not come from the Secret: " + env.get("TOLLGATE_TRACING_OTLP_HEADERS"));
            }
            if (!(collector ? "0.25" : "1.0").equals(env.get("QUARKUS_OTEL_TRACES_SAMPLER_ARG"))) {
                problems.add(name + ": samples " + env.get("QUARKUS_OTEL_TRACES_SAMPLER_ARG"));
            }
        }
        for (JsonNode policy : rendered.ofKind("NetworkPolicy")) {
            List<JsonNode> toCollector = Chart.Rendered.list(policy.at("/spec/egress")).stream()
                    .filter(rule -> Chart.Rendered.list(rule.path("ports")).stream().anyMatch(p -> p.path("port").asInt() == 4318))
                    .toList();
            String name = policy.at("/metadata/name").asText();
            if (!collector && !toCollector.isEmpty()) {
                problems.add(name + ": lets traffic out to a collector nobody named");
            }
            if (collector && (toCollector.size() != 1
                    || !"observability".equals(toCollector.getFirst().at("/to/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()))) {
                problems.add(name + ": no egress to the collector's peers on 4318: " + toCollector);
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "all-options"})
    void no_secret_value_or_secret_key_is_in_a_config_map(String profile) {
        Map<String, Object> sets = new LinkedHashMap<>();
        for (String key : List.of("identity-db-password", "billing-stripe-secret-key", "billing-stripe-webhook-secret",
                "billing-yookassa-secret-key", "billing-coingate-api-token", "identity-data-key", "pages-link-key")) {
            sets.put("secrets.values." + key, "sentinel-" + key + "-a81f");
        }
        Chart.Rendered rendered = "default".equals(profile) ? Chart.render(sets) : Chart.render(sets, Chart.testValues(profile + ".yaml"));
        JsonNode secret = rendered.ofKind("Secret").getFirst();
        Set<String> secretValues = new HashSet<>();
        secret.path("data").properties().forEach(e ->
                secretValues.add(new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
        assertTrue(secretValues.contains("sentinel-identity-db-password-a81f"), "the given secret value is in the Secret");
        for (String generated : List.of("proxy-data-key", "render-data-key", "events-seal-key", "gateway-client-secret",
                "render-client-secret", "notification-unsubscribe-key", "render-assets-signing-key")) {
            assertTrue(secret.path("data").has(generated), () -> "the chart generates " + generated);
        }
        List<String> problems = new ArrayList<>();
        for (JsonNode configMap : rendered.ofKind("ConfigMap")) {
            for (Map.Entry<String, JsonNode> e : configMap.path("data").properties()) {
                if (secretValues.contains(e.getValue().asText()) || e.getValue().asText().contains("sentinel-")) {
                    problems.add(configMap.at("/metadata/name").asText() + " carries a secret value under " + e.getKey());
                }
                if (SECRET_NAME.matcher(e.getKey()).matches()) {
                    problems.add(configMap.at("/metadata/name").asText() + " carries a secret setting " + e.getKey());
                }
            }
        }
        for (JsonNode workload : rendered.workloads()) {
            for (JsonNode env : workload.at("/spec/template/spec/containers/0/env")) {
                if (SECRET_NAME.matcher(env.path("name").asText()).matches() && env.has("value")) {
                    problems.add(workload.at("/metadata/name").asText() + " has " + env.path("name").asText() + " as a plain value");
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "production"})
    void a_config_change_rolls_only_the_pods_whose_config_changed(String profile) {
        Path[] files = "production".equals(profile) ? new Path[] {Chart.PRODUCTION} : new Path[0];
        Chart.Rendered before = Chart.render(files);
        Chart.Rendered after = Chart.render(Map.of("services.billing.config.tollgate\\.billing\\.holds\\.expiry-scan", "7s"), files);
        for (JsonNode workload : before.workloads()) {
            String name = workload.at("/metadata/name").asText();
            String was = workload.at("/spec/template/metadata/annotations/checksum~1config").asText();
            String now = after.named(workload.path("kind").asText(), name).at("/spec/template/metadata/annotations/checksum~1config").asText();
            assertFalse(was.isEmpty(), name + " has no checksum/config annotation");
            if (name.endsWith("-billing")) {
                assertFalse(was.equals(now), "billing's pods roll when its config changes");
            } else {
                assertEquals(was, now, name + " rolls although its config is the same");
            }
        }
    }
}
