package io.tollgate.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The chart lints, renders with the default and the production values, and every object it
 * renders is a valid object of its Kubernetes API: it binds to fabric8's model class of its
 * apiVersion and kind (generated from the Kubernetes OpenAPI schemas) with no unknown field and no
 * value of the wrong type.
 */
class KubernetesSchemaTest {

    /** No scalar coercion ("8080" is not an int), unknown enum values fail. */
    private static final ObjectMapper MODEL = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    @Test
    void the_chart_passes_helm_lint_in_strict_mode() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertFalse(lint.isFailed(), () -> "helm lint: " + lint.getMessages());
        assertTrue(lint.getMessages().stream().noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]")),
                () -> "helm lint: " + lint.getMessages());
    }

    @Test
    void the_default_values_render_every_component() {
        Chart.Rendered rendered = Chart.render();
        assertEquals(Set.of("identity", "billing", "proxy", "render", "notification", "gateway"),
                components(rendered.ofKind("Deployment")));
        assertEquals(Set.of("proxy-node"), components(rendered.ofKind("StatefulSet")));
        assertEquals(1, rendered.ofKind("Secret").size(), "the chart creates its Secret by default");
        assertTrue(rendered.ofKind("ServiceMonitor").isEmpty(), "ServiceMonitor is off by default");
        assertTrue(rendered.ofKind("Ingress").isEmpty() && rendered.ofKind("HTTPRoute").isEmpty());
        everyObjectMatchesItsKubernetesSchema(rendered);
    }

    @Test
    void the_production_values_render_with_monitoring_ingress_and_an_existing_secret() {
        Chart.Rendered rendered = Chart.render(Chart.PRODUCTION);
        assertEquals(7, rendered.ofKind("ServiceMonitor").size());
        assertEquals(1, rendered.ofKind("Ingress").size());
        assertTrue(rendered.ofKind("Secret").isEmpty(), "the production profile names an existing Secret");
        assertEquals(2, rendered.ofKind("Service").stream()
                .filter(s -> s.path("metadata").path("name").asText().endsWith("-dataplane")).count(),
                "one data-plane Service per proxy node");
        everyObjectMatchesItsKubernetesSchema(rendered);
    }

    @Test
    void the_gateway_api_route_and_every_option_render_valid_objects() {
        Chart.Rendered rendered = Chart.render(Chart.testValues("all-options.yaml"));
        assertEquals(1, rendered.ofKind("HTTPRoute").size());
        everyObjectMatchesItsKubernetesSchema(rendered);
    }

    private static Set<String> components(List<JsonNode> objects) {
        Set<String> names = new TreeSet<>();
        objects.forEach(o -> names.add(Chart.Rendered.component(o)));
        return names;
    }

    private static void everyObjectMatchesItsKubernetesSchema(Chart.Rendered rendered) {
        List<String> problems = new ArrayList<>();
        for (JsonNode object : rendered.objects()) {
            String id = object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
            try {
                KubernetesResource model = MODEL.treeToValue(object, KubernetesResource.class);
                if (model instanceof GenericKubernetesResource) {
                    problems.add(id + ": no Kubernetes API knows " + object.path("apiVersion").asText() + " " + object.path("kind").asText());
                    continue;
                }
                unknownFields(model, id, problems);
            } catch (Exception e) {
                problems.add(id + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** Every model object keeps the fields its schema does not know in additionalProperties: none may be there. */
    private static void unknownFields(Object node, String path, List<String> problems) throws ReflectiveOperationException {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), problems);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": fields unknown to the schema: " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), problems);
            }
        }
    }
}
