package io.tollgate.helm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every configuration key a service reads can be set through the chart: the keys are read from
 * the service's sources (its application.properties, the platform kit's defaults, every
 * {@code @ConfigProperty} name and every {@code @ConfigMapping} interface), and each must reach the
 * service's containers in its environment form, either wired by the chart or through the
 * service's documented {@code config} values.
 */
class ConfigKeysTest {

    /** Quarkus' own keys the chart owns: the connections and listeners; the rest are Quarkus' business (and extraEnv's). */
    private static final List<String> QUARKUS_RUNTIME = List.of("quarkus.datasource.", "quarkus.redis.", "quarkus.mailer.",
            "quarkus.http.port", "quarkus.http.host", "quarkus.management.port", "quarkus.management.host", "quarkus.http.limits.");

    private static final Pattern CONFIG_PROPERTY = Pattern.compile(
            "@ConfigProperty\\(\\s*name\\s*=\\s*(?:\"([^\"]+)\"|(\\w+))");
    private static final Pattern CONSTANT = Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_MAPPING = Pattern.compile(
            "@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"\\s*\\)\\s*(?:public\\s+)?interface\\s+(\\w+)");
    private static final Pattern METHOD = Pattern.compile(
            "((?:@\\w+(?:\\([^)]*\\))?\\s+)*)([\\w.]+(?:<[\\w\\s,.<>?]+>)?)\\s+(\\w+)\\(\\)\\s*;");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\"([^\"]+)\"\\)");

    /**
     * Platform kit keys that only the services using the kit class that reads them need: the chart
     * gives such a secret to those services alone. Key to that class's simple name.
     */
    private static final Map<String, String> KIT_KEYS_BY_USER = Map.of("tollgate.events.seal-key", "EventSeal");

    private static Chart.Rendered rendered;

    @BeforeAll
    static void render() {
        // all-options declares a remote render provider, so the providers' map keys are rendered too.
        rendered = Chart.render(Chart.testValues("all-options.yaml"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"identity", "billing", "proxy", "render", "notification", "gateway"})
    void every_key_the_service_reads_can_be_set_by_the_chart(String service) {
        Set<String> keys = keysReadBy(service);
        assertTrue(keys.size() > 20, () -> "found too few keys to believe the scan: " + keys);
        Set<String> environment = new TreeSet<>();
        for (JsonNode workload : rendered.workloads()) {
            if (service.equals(workload.at("/spec/template/spec/containers/0/name").asText())) {
                environment.addAll(rendered.environment(workload).keySet());
            }
        }
        assertTrue(!environment.isEmpty(), "no workload runs " + service);
        List<String> unset = new ArrayList<>();
        for (String key : keys) {
            Pattern env = Pattern.compile(envForm(key));
            if (environment.stream().noneMatch(name -> env.matcher(name).matches())) {
                unset.add(key + " (" + env.pattern() + ")");
            }
        }
        if (!unset.isEmpty()) {
            fail(service + " reads keys the chart cannot set:\n  " + String.join("\n  ", unset));
        }
    }

    @Test
    void the_scan_finds_keys_of_each_kind() {
        Set<String> gateway = keysReadBy("gateway");
        assertTrue(gateway.contains("tollgate.gateway.limits.auth-per-ip"), "a @ConfigMapping leaf");
        assertTrue(gateway.contains("tollgate.upstream.*.management-url"), "a @ConfigMapping map entry");
        assertTrue(gateway.contains("tollgate.gateway.jwks.refresh-every"), "a @ConfigProperty");
        assertTrue(gateway.contains("kafka.bootstrap.servers"), "a platform kit default");
        assertTrue(!gateway.contains("quarkus.datasource.reactive.url"), "the gateway has no database");
        Set<String> proxy = keysReadBy("proxy");
        assertTrue(proxy.contains("tollgate.proxy.data-key"), "a @ConfigProperty named by a constant");
        assertTrue(proxy.contains("quarkus.datasource.reactive.url"));
        assertTrue(keysReadBy("identity").contains("tollgate.identity.client-secrets.*"), "a mapped map of strings");
        assertTrue(keysReadBy("render").contains("tollgate.render.providers.*.api-key"));
        assertTrue(keysReadBy("notification").contains("tollgate.events.seal-key"), "notification opens sealed links");
        assertTrue(!keysReadBy("billing").contains("tollgate.events.seal-key"), "billing never uses the event seal");
    }

    @Test
    void identity_is_no_service_client_of_its_own() {
        String clients = rendered.environment(rendered.named("Deployment", "tollgate-identity"))
                .get("TOLLGATE_IDENTITY_SERVICE_CLIENTS");
        assertTrue(clients != null && !List.of(clients.split(",")).contains("identity"), "service clients: " + clients);
    }

    /** MicroProfile Config's environment form: each non-alphanumeric character becomes _, all upper case. */
    static String envForm(String key) {
        StringBuilder regex = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[A-Z0-9]+");
            }
            regex.append(Pattern.quote(part.replaceAll("[^A-Za-z0-9]", "_").toUpperCase()));
        }
        return regex.toString();
    }

    static Set<String> keysReadBy(String service) {
        Path module = Chart.ROOT.resolve(service + "-svc");
        Path kit = Chart.ROOT.resolve("platform-kit");
        boolean database = read(module.resolve("pom.xml")).contains("quarkus-reactive-pg-client");
        Set<String> keys = new TreeSet<>();
        keys.addAll(propertyKeys(module.resolve("src/main/resources/application.properties")));
        keys.addAll(propertyKeys(kit.resolve("src/main/resources/META-INF/microprofile-config.properties")));
        keys.addAll(sourceKeys(module.resolve("src/main/java")));
        keys.addAll(sourceKeys(kit.resolve("src/main/java")));
        keys.removeIf(key -> !inScope(key, database));
        String sources = allSources(module.resolve("src/main/java"));
        KIT_KEYS_BY_USER.forEach((key, user) -> {
            if (!Pattern.compile("\\b" + user + "\\b").matcher(sources).find()) {
                keys.remove(key);
            }
        });
        if (service.equals("identity")) {
            // identity issues the service tokens and is no client of its own (its service-clients list says who is)
            keys.remove("tollgate.service.client-secret");
        }
        return keys;
    }

    private static String allSources(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> all.append(read(f)).append('\n'));
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean inScope(String key, boolean database) {
        if (key.equals("config_ordinal") || key.contains(".devservices.") || key.equals("quarkus.datasource.db-kind")) {
            return false; // not a setting / development services / fixed when the service is built
        }
        if (!database && (key.startsWith("quarkus.datasource.") || key.startsWith("tollgate.pg.") || key.startsWith("tollgate.db."))) {
            return false; // the platform kit's database keys, in a service built without a database
        }
        return !key.startsWith("quarkus.") || QUARKUS_RUNTIME.stream().anyMatch(key::startsWith);
    }

    /** Keys of the unprofiled lines: a %test or %local line only gives another value to a key read anyway. */
    private static Set<String> propertyKeys(Path file) {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> keys = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("%")) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static Set<String> sourceKeys(Path sources) {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = read(file);
                Map<String, String> constants = new HashMap<>();
                Matcher c = CONSTANT.matcher(source);
                while (c.find()) {
                    constants.put(c.group(1), c.group(2));
                }
                Matcher p = CONFIG_PROPERTY.matcher(source);
                while (p.find()) {
                    String name = p.group(1) != null ? p.group(1) : constants.get(p.group(2));
                    if (name == null) {
                        throw new AssertionError(file + ": @ConfigProperty name " + p.group(2) + " is not a constant of the file");
                    }
                    keys.add(name);
                }
                Matcher m = CONFIG_MAPPING.matcher(source);
                while (m.find()) {
                    mappingKeys(source, m.group(2), m.group(1), keys);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /** The leaves of a mapping interface under its prefix; a Map of a nested interface is prefix.*.leaf. */
    private static void mappingKeys(String source, String iface, String prefix, Set<String> keys) {
        String body = depthOneBody(source, iface);
        Matcher method = METHOD.matcher(body);
        while (method.find()) {
            String annotations = method.group(1);
            String type = method.group(2).replace(" ", "");
            Matcher named = WITH_NAME.matcher(annotations);
            String name = named.find() ? named.group(1) : kebab(method.group(3));
            String here = annotations.contains("@WithParentName") ? prefix : prefix + "." + name;
            if (type.startsWith("Optional<")) {
                type = type.substring("Optional<".length(), type.length() - 1);
            }
            if (type.startsWith("Map<")) {
                String value = type.substring(type.indexOf(',') + 1, type.length() - 1);
                if (isInterface(source, value)) {
                    mappingKeys(source, value, here + ".*", keys);
                } else {
                    keys.add(here + ".*");
                }
            } else if (isInterface(source, type)) {
                mappingKeys(source, type, here, keys);
            } else {
                keys.add(here);
            }
        }
    }

    private static boolean isInterface(String source, String name) {
        return Pattern.compile("interface\\s+" + Pattern.quote(name) + "\\s*\\{").matcher(source).find();
    }

    /** The text of an interface's body without its nested types' bodies. */
    private static String depthOneBody(String source, String iface) {
        Matcher start = Pattern.compile("interface\\s+" + Pattern.quote(iface) + "\\s*\\{").matcher(source);
        if (!start.find()) {
            throw new AssertionError("interface " + iface + " not found");
        }
        StringBuilder body = new StringBuilder();
        int depth = 1;
        for (int i = start.end(); i < source.length() && depth > 0; i++) {
            char ch = source.charAt(i);
            if (ch == '{') {
                depth++;
            } else if (ch == '}') {
                depth--;
            } else if (depth == 1) {
                body.append(ch);
            }
        }
        // comments hold no declarations
        return body.toString().replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
