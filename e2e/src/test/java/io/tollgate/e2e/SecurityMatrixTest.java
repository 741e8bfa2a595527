package io.tollgate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;
import io.tollgate.kit.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation of the public API, read from the gateway's merged OpenAPI (which names each
 * operation's access rule, scope and body limit), attacked the same ways: no credential, an API key
 * without the scope, a key on a JWT-only or admin route, a user on an admin route, another user's id,
 * dot-segment and encoded spellings of its path, an oversized body, NUL and overlong strings. The
 * report names each operation a case could not be built for; a new one fails the run until it is
 * covered or listed, with its reason, in {@code security-matrix/uncovered.txt}.
 */
@ExtendWith(FleetExtension.class)
class SecurityMatrixTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private static final List<String> SCOPES = List.of("account:read", "proxy:read", "proxy:write", "render:create",
            "render:read", "render:cancel", "billing:read", "billing:write", "webhooks:read", "webhooks:write");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    private static final String OVERLONG = "x".repeat(10_000);

    private record Operation(String method, String template, JsonNode spec) {
        String access() {
            return spec.path("x-tollgate-access").asText("missing");
        }

        String scope() {
            return spec.path("x-tollgate-scope").asText(null);
        }

        long maxBody() {
            return spec.path("x-tollgate-max-body-bytes").asLong(0);
        }

        String bodyType() {
            Iterator<String> types = spec.path("requestBody").path("content").fieldNames();
            return types.hasNext() ? types.next() : null;
        }

        String name() {
            return method.toUpperCase(Locale.ROOT) + " " + template;
        }
    }

    /** The victim's resources, by the path prefix whose {id} names them. */
    private final Map<String, String> foreignIds = new LinkedHashMap<>();
    /** The attacker's own, so that a body's strings are judged on a resource the caller may change. */
    private final Map<String, String> ownIds = new LinkedHashMap<>();
    private final Map<String, String> keysWithout = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final Set<String> uncovered = new TreeSet<>();
    private int cases;
    private Fleet fleet;
    private JsonNode document;

    @Test
    void every_operation_refuses_every_attack(Fleet fleet) throws Exception {
        this.fleet = fleet;
        document = JSON.readTree(RawHttp.get(fleet.gatewayUrl(), "/v1/openapi.json").body());
        Journeys.Account attacker = Journeys.newUser(fleet);
        Journeys.Account victim = Journeys.newUser(fleet);
        Journeys.Account admin = Journeys.admin(fleet);
        prepareVictim(victim, admin);
        ownIds.putAll(ownResources(attacker));
        String fullKey = key(attacker, SCOPES);

        List<Operation> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                operations.add(new Operation(op.getKey(), path.getKey(), op.getValue()));
            }
        }));
        for (Operation op : operations) {
            if (op.access().equals("missing")) {
                failures.add(op.name() + ": the merged OpenAPI names no access rule for it");
                continue;
            }
            String path = fill(op, null);
            noCredential(op, path);
            spellings(op, path);
            oversized(op, path);
            switch (op.access()) {
                case "user" -> {
                    if (op.scope() != null) {
                        expect(op, "a key without " + op.scope(), send(op, path, bearer(keyWithout(attacker, op.scope())),
                                body(op, null)), status(403).and(code("INSUFFICIENT_SCOPE")));
                    }
                    expect(op, "a key with every scope", send(op, path, bearer(fullKey), body(op, null)),
                            a -> a.status() != 401 && a.status() != 403 && a.status() < 500);
                }
                case "jwt_only" -> expect(op, "an API key", send(op, path, bearer(fullKey), body(op, null)),
                        status(403).and(code("JWT_ONLY")));
                case "admin" -> {
                    expect(op, "an API key", send(op, path, bearer(fullKey), body(op, null)), status(403).and(code("JWT_ONLY")));
                    expect(op, "a user who is not an admin", send(op, path, bearer(attacker.accessToken()), body(op, null)),
                            status(403).and(code("ADMIN_ONLY")));
                }
                default -> {
                }
            }
            String caller = op.access().equals("admin") ? admin.accessToken()
                    : op.access().equals("public") ? null : attacker.accessToken();
            foreignId(op, caller);
            String own = foreignPrefix(op.template()) == null ? null : ownIds.get(foreignPrefix(op.template()));
            badStrings(op, own == null ? path : fill(op, own), caller);
        }

        Set<String> allowed = baseline();
        Set<String> unexplained = new TreeSet<>(uncovered);
        unexplained.removeAll(allowed);
        Set<String> stale = new TreeSet<>(allowed);
        stale.removeAll(uncovered);
        System.out.printf("security matrix: %d operations, %d cases, %d failures, %d uncovered (%d unexplained)%n",
                operations.size(), cases, failures.size(), uncovered.size(), unexplained.size());
        uncovered.forEach(u -> System.out.println("  not covered: " + u));
        stale.forEach(s -> System.out.println("  listed as not covered but now covered (remove it): " + s));
        assertTrue(failures.isEmpty(), failures.size() + " case(s) failed:\n" + String.join("\n", failures));
        assertTrue(unexplained.isEmpty(), "operations the matrix cannot cover, not listed in security-matrix/uncovered.txt:\n"
                + String.join("\n", unexplained));
    }

    // ---- the cases -------------------------------------------------------------------------

    private void noCredential(Operation op, String path) {
        if (op.access().equals("public")) {
            return;
        }
        expect(op, "no credential", send(op, path, null, body(op, null)), status(401).and(code("AUTHENTICATION_REQUIRED")));
    }

    /** Dot segments lead where they resolve to; an encoded slash is refused. */
    private void spellings(Operation op, String path) {
        RawHttp.Answer direct = send(op, path, null, body(op, null));
        List<String> spellings = new ArrayList<>(List.of("/.well-known/../" + path.substring(1),
                "/.well-known/%2e%2e/" + path.substring(1)));
        if (path.startsWith("/v1/")) {
            spellings.add("/v1/x/./.." + path.substring(3));
        }
        for (String spelling : spellings) {
            // the same answer as the path it resolves to: status and the problem's code (who refused it)
            int expected = direct.status();
            String expectedCode = problemCode(direct);
            expect(op, "spelled " + spelling, send(op, spelling, null, body(op, null)),
                    a -> (a.status() == expected && Objects.equals(problemCode(a), expectedCode))
                            || expected == 429 || a.status() == 429);
        }
        int second = path.indexOf('/', 1);
        if (second > 0) {
            String encoded = path.substring(0, second) + "%2F" + path.substring(second + 1);
            expect(op, "spelled " + encoded, send(op, encoded, null, body(op, null)), status(400).and(code("INVALID_PATH")));
        }
    }

    private void oversized(Operation op, String path) {
        if (op.bodyType() == null || op.maxBody() <= 0) {
            return;
        }
        long declared = op.maxBody() + 1;
        RawHttp.Answer answer = RawHttp.send(fleet.gatewayUrl(), op.method().toUpperCase(Locale.ROOT), path,
                List.of("Content-Type: application/json", "Content-Length: " + declared, "X-Forwarded-For: " + Journeys.randomIp()),
                null);
        expect(op, "a body of " + declared + " bytes", answer, status(413).and(code("PAYLOAD_TOO_LARGE")));
    }

    /** Another user's resource (or one that does not exist) is not found, whatever the method. */
    private void foreignId(Operation op, String caller) {
        if (!firstParamIsUuid(op) || op.access().equals("public") || op.access().equals("admin")) {
            return;
        }
        String prefix = foreignPrefix(op.template());
        String label = prefix == null ? "an unknown id" : "another user's id";
        if (prefix == null) {
            uncovered.add(op.name() + ": no fixture of another user's resource; tested with an unknown id");
        }
        String path = fill(op, prefix == null ? null : foreignIds.get(prefix));
        boolean hasBody = op.bodyType() != null;
        expect(op, label, send(op, path, bearer(caller), body(op, null)),
                a -> a.status() == 404 || (hasBody && (a.status() == 400 || a.status() == 422))
                        || (a.status() == 403 && a.body().matches("(?s).*\"code\":\"[A-Z_]*_ONLY\".*")));
    }

    private void badStrings(Operation op, String path, String caller) {
        String type = op.bodyType();
        if (type == null) {
            return;
        }
        if (!type.equals("application/json")) {
            uncovered.add(op.name() + ": its body is " + type + ", not JSON fields");
            return;
        }
        List<String> strings = stringFields(op);
        if (strings.isEmpty()) {
            uncovered.add(op.name() + ": its JSON body has no string field");
            return;
        }
        String field = strings.getFirst();
        expect(op, "NUL in " + field, send(op, path, bearer(caller), body(op, Map.of(field, "bad\u0000value"))),
                status(400));
        expect(op, "10,000 characters in " + field, send(op, path, bearer(caller), body(op, Map.of(field, OVERLONG))),
                status(400));
    }

    // ---- requests ----------------------------------------------------------------------------

    private RawHttp.Answer send(Operation op, String path, String authorization, String body) {
        List<String> headers = new ArrayList<>();
        headers.add("X-Forwarded-For: " + Journeys.randomIp());
        if (authorization != null) {
            headers.add(authorization);
        }
        String payload = null;
        if (body != null) {
            headers.add("Content-Type: application/json");
            payload = body;
        }
        RawHttp.Answer answer = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            answer = RawHttp.send(fleet.gatewayUrl(), op.method().toUpperCase(Locale.ROOT), path, headers, payload);
            if (answer.status() != 429 || !answer.body().contains("RATE_LIMITED") || answer.header("retry-after") == null) {
                return answer;
            }
            sleep(Math.min(60, Long.parseLong(answer.header("retry-after"))) * 1000 + 200);
        }
        return answer;
    }

    private static String bearer(String token) {
        return token == null ? null : "Authorization: Bearer " + token;
    }

    private void expect(Operation op, String name, RawHttp.Answer answer, Predicate<RawHttp.Answer> ok) {
        cases++;
        if (answer.status() >= 500 || !ok.test(answer)) {
            String body = answer.body().length() > 300 ? answer.body().substring(0, 300) + "..." : answer.body();
            failures.add(op.name() + " [" + name + "]: " + answer.status() + " " + body);
        }
    }

    private static String problemCode(RawHttp.Answer answer) {
        Matcher m = Pattern.compile("\"code\":\"([A-Z_]+)\"").matcher(answer.body());
        return m.find() ? m.group(1) : null;
    }

    private static Predicate<RawHttp.Answer> status(int status) {
        return a -> a.status() == status && String.valueOf(a.header("content-type")).startsWith("application/problem+json");
    }

    private static Predicate<RawHttp.Answer> code(String code) {
        return a -> a.body().contains("\"code\":\"" + code + "\"");
    }

    // ---- bodies and paths ----------------------------------------------------------------------

    private JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        while (current.has("$ref")) {
            String name = current.get("$ref").asText().substring("#/components/schemas/".length());
            current = document.path("components").path("schemas").path(name);
        }
        return current;
    }

    private JsonNode bodySchema(Operation op) {
        return resolve(op.spec().path("requestBody").path("content").path("application/json").path("schema"));
    }

    private List<String> stringFields(Operation op) {
        List<String> names = new ArrayList<>();
        bodySchema(op).path("properties").fields().forEachRemaining(p -> {
            JsonNode type = resolve(p.getValue());
            if ("string".equals(type.path("type").asText()) && !type.has("format") && !type.has("enum")) {
                names.add(snake(p.getKey()));
            }
        });
        return names;
    }

    /** A plausible JSON body for the operation (every field filled by its type), with {@code overrides} set. */
    private String body(Operation op, Map<String, String> overrides) {
        if (op.bodyType() == null || !op.bodyType().equals("application/json")) {
            return op.bodyType() == null ? null : "{}";
        }
        ObjectNode body = JSON.createObjectNode();
        bodySchema(op).path("properties").fields().forEachRemaining(p -> {
            JsonNode type = resolve(p.getValue());
            String name = snake(p.getKey());
            switch (type.path("type").asText()) {
                case "string" -> body.put(name, type.has("enum") ? type.path("enum").get(0).asText()
                        : "date-time".equals(type.path("format").asText()) ? Instant.now().plusSeconds(3600).toString()
                        : "uuid".equals(type.path("format").asText()) ? UUID.randomUUID().toString() : "value");
                case "integer", "number" -> body.put(name, 1);
                case "boolean" -> body.put(name, false);
                case "array" -> body.putArray(name);
                default -> {
                }
            }
        });
        if (overrides != null) {
            overrides.forEach(body::put);
        }
        return body.toString();
    }

    private String fill(Operation op, String id) {
        Matcher m = PARAM.matcher(op.template());
        StringBuilder out = new StringBuilder();
        boolean first = true;
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "slug" -> "default";
                case "code" -> "starter";
                default -> first && id != null ? id : UUID.randomUUID().toString();
            };
            first = false;
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private boolean firstParamIsUuid(Operation op) {
        Matcher m = PARAM.matcher(op.template());
        if (!m.find()) {
            return false;
        }
        for (JsonNode parameter : op.spec().path("parameters")) {
            if (m.group(1).equals(parameter.path("name").asText()) && "path".equals(parameter.path("in").asText())) {
                return "uuid".equals(resolve(parameter.path("schema")).path("format").asText());
            }
        }
        return false;
    }

    private String foreignPrefix(String template) {
        for (String prefix : foreignIds.keySet()) {
            if (template.startsWith(prefix + "/{")) {
                return prefix;
            }
        }
        return null;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    // ---- fixtures ------------------------------------------------------------------------------

    /** The victim owns one of each resource the attacker will ask for by id. */
    private void prepareVictim(Journeys.Account victim, Journeys.Account admin) {
        String gateway = fleet.gatewayUrl();
        foreignIds.putAll(ownResources(victim));
        foreignIds.put("/v1/auth/sessions", Journeys.at(gateway, victim.ip()).auth().oauth2(victim.accessToken())
                .get("/v1/auth/sessions").then().statusCode(200).extract().path("data[0].id"));
        Response topUp = Journeys.at(gateway, victim.ip()).auth().oauth2(victim.accessToken()).contentType("application/json")
                .body("{\"amount_minor\": 1000, \"provider\": \"stripe\"}").post("/v1/billing/top-ups");
        foreignIds.put("/v1/billing/payments", topUp.then().statusCode(201).extract().path("payment_id"));
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body("{\"amount_minor\": 20000, \"reason\": \"matrix\"}")
                .post("/v1/admin/billing/users/" + victim.userId() + "/credits/grant").then().statusCode(201);
        foreignIds.put("/v1/billing/purchases", Journeys.at(gateway, victim.ip()).auth().oauth2(victim.accessToken())
                .contentType("application/json").body("{\"resource\": \"traffic\", \"amount\": 30}")
                .post("/v1/billing/purchases").then().statusCode(201).extract().path("purchase.id"));
        foreignIds.put("/v1/billing/invoices", Journeys.at(gateway, victim.ip()).auth().oauth2(victim.accessToken())
                .get("/v1/billing/invoices").then().statusCode(200).extract().path("data[0].id"));
    }

    /** An API key and a webhook endpoint of {@code owner}'s, by the path prefix that names them. */
    private Map<String, String> ownResources(Journeys.Account owner) {
        String gateway = fleet.gatewayUrl();
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("/v1/api-keys", Journeys.at(gateway, owner.ip()).auth().oauth2(owner.accessToken())
                .contentType("application/json").body("{\"name\": \"own\", \"scopes\": [\"account:read\"]}")
                .post("/v1/api-keys").then().statusCode(201).extract().path("id"));
        ids.put("/v1/webhooks", Journeys.at(gateway, owner.ip()).auth().oauth2(owner.accessToken())
                .contentType("application/json")
                .body("{\"url\": \"http://127.0.0.1:9/hook\", \"events\": [\"payment.succeeded\"]}")
                .post("/v1/webhooks").then().statusCode(201).extract().path("id"));
        return ids;
    }

    private String key(Journeys.Account owner, List<String> scopes) {
        StringBuilder list = new StringBuilder();
        for (String scope : scopes) {
            list.append(list.isEmpty() ? "" : ", ").append('"').append(scope).append('"');
        }
        return Journeys.at(fleet.gatewayUrl(), owner.ip()).auth().oauth2(owner.accessToken()).contentType("application/json")
                .body("{\"name\": \"matrix\", \"scopes\": [" + list + "], \"rate_limit_rpm\": 1000}")
                .post("/v1/api-keys").then().statusCode(201).extract().path("secret_key");
    }

    private String keyWithout(Journeys.Account owner, String scope) {
        return keysWithout.computeIfAbsent(scope, s -> {
            List<String> others = new ArrayList<>(SCOPES);
            others.remove(s);
            return key(owner, others);
        });
    }

    private static Set<String> baseline() {
        try (InputStream in = SecurityMatrixTest.class.getResourceAsStream("/security-matrix/uncovered.txt")) {
            Set<String> lines = new LinkedHashSet<>();
            if (in == null) {
                return lines;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line.trim());
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
