package io.tollgate.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.gateway.policy.RoutePolicies;
import io.tollgate.gateway.policy.RoutePolicy;
import io.tollgate.gateway.routing.GatewayConfig;
import io.tollgate.gateway.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One OpenAPI document for the whole public API at {@code /v1/openapi.json}: every service's
 * public paths (not {@code /internal}, not {@code /q}), their schemas (renamed with the service's
 * name where two services use one name differently), and the two ways to authenticate. Built from
 * the running services and kept for a minute; Swagger UI at {@code /v1/docs} reads it.
 */
@ApplicationScoped
public class PublicOpenApi {

    private static final long CACHE_MS = 60_000;
    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private final Vertx vertx;
    private final ObjectMapper json;
    private final GatewayConfig config;
    private final RoutePolicies policies;
    private HttpClient client;
    private volatile byte[] cached;
    private volatile long cachedAt;

    public PublicOpenApi(Vertx vertx, ObjectMapper json, GatewayConfig config, RoutePolicies policies) {
        this.policies = policies;
        this.vertx = vertx;
        this.json = json;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000));
    }

    void routes(@Observes Router router) {
        router.get("/v1/openapi.json").order(-50).handler(this::serve);
        router.get("/v1/openapi/:service").order(-50).handler(this::serveOne);
    }

    /** One service's public part, as the merged document holds it. */
    private void serveOne(RoutingContext ctx) {
        String service = ctx.pathParam("service");
        if (!RouteTable.services().contains(service) || config.upstreams().get(service) == null) {
            ctx.next();
            return;
        }
        fetch(service).onSuccess(doc -> {
            try {
                send(ctx, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(publicPart(doc)));
            } catch (Exception e) {
                ctx.fail(e);
            }
        }).onFailure(e -> ctx.response().setStatusCode(502).putHeader("Content-Type", "application/problem+json")
                .end("{\"status\":502,\"code\":\"UPSTREAM_UNAVAILABLE\",\"title\":\"Bad gateway\"}"));
    }

    private Future<JsonNode> fetch(String service) {
        GatewayConfig.Upstream upstream = config.upstreams().get(service);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(upstream.managementUrl() + "/q/openapi?format=json").setTimeout(5_000);
        return client.request(options).compose(r -> r.send()).compose(r -> r.body()).map(body -> {
            try {
                return json.readTree(body.getBytes());
            } catch (Exception e) {
                throw new IllegalStateException(service + " published unreadable OpenAPI");
            }
        });
    }

    /** A service's document without its internal paths and tags. */
    private JsonNode publicPart(JsonNode doc) {
        ObjectNode copy = doc.deepCopy();
        ObjectNode paths = json.createObjectNode();
        doc.path("paths").fields().forEachRemaining(e -> {
            if (isPublic(e.getKey())) {
                paths.set(e.getKey(), e.getValue());
            }
        });
        copy.set("paths", paths);
        ArrayNode tags = json.createArrayNode();
        doc.path("tags").forEach(tag -> {
            if (!"Internal".equals(tag.path("name").asText())) {
                tags.add(tag);
            }
        });
        copy.set("tags", tags);
        return copy;
    }

    private static boolean isPublic(String path) {
        return path.startsWith("/v1/") || path.startsWith("/.well-known/");
    }

    private void serve(RoutingContext ctx) {
        if (cached != null && System.currentTimeMillis() - cachedAt < CACHE_MS) {
            send(ctx, cached);
            return;
        }
        List<Future<Map.Entry<String, JsonNode>>> parts = new ArrayList<>();
        for (String service : RouteTable.services()) {
            if (config.upstreams().get(service) == null) {
                continue;
            }
            parts.add(fetch(service).map(doc -> Map.entry(service, doc)));
        }
        Future.join(parts).onComplete(done -> {
            Map<String, JsonNode> docs = new HashMap<>();
            for (var part : parts) {
                if (part.succeeded()) {
                    docs.put(part.result().getKey(), part.result().getValue());
                }
            }
            try {
                byte[] merged = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(merge(docs));
                if (docs.size() == parts.size()) {
                    cached = merged;
                    cachedAt = System.currentTimeMillis();
                }
                send(ctx, merged);
            } catch (Exception e) {
                ctx.fail(e);
            }
        });
    }

    private static void send(RoutingContext ctx, byte[] body) {
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "public, max-age=60")
                .end(io.vertx.core.buffer.Buffer.buffer(body));
    }

    ObjectNode merge(Map<String, JsonNode> docs) {
        ObjectNode out = json.createObjectNode();
        out.put("openapi", "3.1.0");
        ObjectNode info = out.putObject("info");
        info.put("title", "Tollgate public API");
        info.put("version", "1");
        info.put("description", "Every public route of the Tollgate fleet, as served by the gateway. Authenticate with "
                + "`Authorization: Bearer <access token>` from `/v1/auth/login`, or with an API key as "
                + "`Authorization: Bearer tg_live_...` or `X-API-Key`. Errors are RFC 9457 problem documents.");
        out.putArray("servers").addObject().put("url", "/");
        ObjectNode paths = out.putObject("paths");
        ObjectNode schemas = json.createObjectNode();
        ArrayNode tags = out.putArray("tags");
        List<String> seenTags = new ArrayList<>();

        for (String service : RouteTable.services()) {
            JsonNode doc = docs.get(service);
            if (doc == null) {
                continue;
            }
            Map<String, String> renames = new HashMap<>();
            doc.path("components").path("schemas").fields().forEachRemaining(e -> {
                JsonNode existing = schemas.get(e.getKey());
                if (existing != null && !existing.equals(e.getValue())) {
                    renames.put(e.getKey(), capitalise(service) + e.getKey());
                }
            });
            JsonNode renamed = renames.isEmpty() ? doc : rewriteRefs(doc.deepCopy(), renames);
            renamed.path("components").path("schemas").fields().forEachRemaining(e ->
                    schemas.set(renames.getOrDefault(e.getKey(), e.getKey()), e.getValue()));
            renamed.path("paths").fields().forEachRemaining(e -> {
                if (isPublic(e.getKey())) {
                    paths.set(e.getKey(), withPolicies(e.getKey(), e.getValue()));
                }
            });
            for (JsonNode tag : renamed.path("tags")) {
                String name = tag.path("name").asText();
                if (!"Internal".equals(name) && !seenTags.contains(name)) {
                    seenTags.add(name);
                    tags.add(tag);
                }
            }
        }
        ObjectNode components = out.putObject("components");
        components.set("schemas", schemas);
        ObjectNode security = components.putObject("securitySchemes");
        security.putObject("bearer").put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT or tg_ API key");
        security.putObject("apiKey").put("type", "apiKey").put("in", "header").put("name", "X-API-Key");
        ArrayNode requirement = out.putArray("security");
        requirement.addObject().putArray("bearer");
        requirement.addObject().putArray("apiKey");
        return out;
    }

    /**
     * Each operation says what the door demands of it, from the gateway's own rules: who may call it
     * ({@code x-tollgate-access}: public, user, jwt_only or admin), the API-key scope it needs, the rate
     * bucket it is counted in and its largest body. A public operation needs no credential
     * ({@code security: []}). Clients read it; the security matrix tests every operation by it.
     */
    private JsonNode withPolicies(String path, JsonNode item) {
        ObjectNode copy = item.deepCopy();
        copy.fields().forEachRemaining(e -> {
            if (!OPERATIONS.contains(e.getKey()) || !e.getValue().isObject()) {
                return;
            }
            HttpMethod method = HttpMethod.valueOf(e.getKey().toUpperCase(Locale.ROOT));
            RoutePolicy policy = policies.match(method, path);
            ObjectNode operation = (ObjectNode) e.getValue();
            operation.put("x-tollgate-access", policy.access().name().toLowerCase(Locale.ROOT));
            if (policy.scope() != null) {
                operation.put("x-tollgate-scope", policy.scope());
            }
            operation.put("x-tollgate-rate-class", policy.rateClass().label());
            operation.put("x-tollgate-max-body-bytes", policy.maxBodyBytes());
            if (policy.isPublic()) {
                operation.putArray("security");
            }
        });
        return copy;
    }

    private static JsonNode rewriteRefs(JsonNode node, Map<String, String> renames) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            JsonNode ref = object.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().startsWith("#/components/schemas/")) {
                String name = ref.asText().substring("#/components/schemas/".length());
                if (renames.containsKey(name)) {
                    object.put("$ref", "#/components/schemas/" + renames.get(name));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                rewriteRefs(it.next().getValue(), renames);
            }
        } else if (node.isArray()) {
            node.forEach(child -> rewriteRefs(child, renames));
        }
        return node;
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
