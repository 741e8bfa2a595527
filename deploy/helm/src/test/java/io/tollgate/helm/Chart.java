package io.tollgate.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/** The chart under deploy/helm/tollgate, rendered by the Helm library as `helm template` would. */
final class Chart {

    static final Path ROOT = Path.of(System.getProperty("tollgate.root", "../..")).toAbsolutePath().normalize();
    static final Path DIR = ROOT.resolve("deploy/helm/tollgate");
    static final Path PRODUCTION = DIR.resolve("values-production.yaml");
    /** A current Kubernetes release; the chart declares kubeVersion >= 1.27. */
    static final String KUBE_VERSION = "1.33.0";
    static final String RELEASE = "tg";
    static final String NAMESPACE = "tollgate";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Chart() {
    }

    static Path testValues(String name) {
        return ROOT.resolve("deploy/helm/src/test/resources/values").resolve(name);
    }

    static Rendered render(Path... valuesFiles) {
        return render(Map.of(), valuesFiles);
    }

    /**
     * Renders the chart. secrets.keepExisting is off: it reads the chart's Secret back from the
     * cluster (Helm's lookup), and there is no cluster here.
     */
    static Rendered render(Map<String, Object> sets, Path... valuesFiles) {
        TemplateCommand template = new Helm(DIR).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION)
                .set("secrets.keepExisting", false);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return new Rendered(parse(template.call()));
    }

    static List<JsonNode> parse(String manifests) {
        try (var parser = YAML.getFactory().createParser(manifests)) {
            List<JsonNode> objects = new ArrayList<>();
            var docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    objects.add(doc);
                }
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one render. */
    record Rendered(List<JsonNode> objects) {

        List<JsonNode> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        }

        JsonNode named(String kind, String name) {
            return ofKind(kind).stream()
                    .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
        }

        /** Deployments and StatefulSets. */
        List<JsonNode> workloads() {
            List<JsonNode> all = new ArrayList<>(ofKind("Deployment"));
            all.addAll(ofKind("StatefulSet"));
            return all;
        }

        /** Environment names a workload's first container sees: its env entries and its ConfigMaps' keys. */
        Map<String, String> environment(JsonNode workload) {
            Map<String, String> env = new LinkedHashMap<>();
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            for (JsonNode from : container.path("envFrom")) {
                String configMap = from.path("configMapRef").path("name").asText(null);
                if (configMap != null) {
                    named("ConfigMap", configMap).path("data").properties()
                            .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
                }
            }
            for (JsonNode e : container.path("env")) {
                env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : "<" + e.path("valueFrom") + ">");
            }
            return env;
        }

        static String component(JsonNode object) {
            return object.path("metadata").path("labels").path("app.kubernetes.io/component").asText();
        }

        static List<JsonNode> list(JsonNode array) {
            return StreamSupport.stream(array.spliterator(), false).toList();
        }
    }
}
