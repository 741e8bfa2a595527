package io.tollgate.render.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.render.providers.Provider;
import io.tollgate.render.providers.ProviderService;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * An administrator's catalogue sync with a remote provider that lists its models (fal's platform
 * API: {@code GET <catalog_url>/models?expand=openapi-3.0} paged by {@code cursor}, and
 * {@code GET <catalog_url>/models/pricing?endpoint_id=...}). A model we already serve from that
 * provider gets the provider's current input schema ({@code updated}); one we do not is added
 * hidden, priced at the provider's price in its unit, for an administrator to review, set a margin
 * and show ({@code added}); one whose schema cannot be read or whose price unit we do not rate is
 * left out ({@code skipped}, with the reason). Nothing a customer sees changes unless a schema of a
 * visible model changed at the provider.
 */
@ApplicationScoped
public class CatalogSync {

    private static final Logger LOG = Logger.getLogger(CatalogSync.class);
    private static final int PAGE = 50;
    private static final int MAX_PAGES = 40;
    private static final Set<String> OPENAPI_ONLY = Set.of("nullable", "example", "discriminator", "xml", "externalDocs", "readOnly",
            "writeOnly");

    /** What a sync did. */
    public record Synced(int added, int updated, int skipped, int total, long elapsedMs, List<Skipped> skippedModels) {
    }

    /** A provider model left out, and why. */
    public record Skipped(String endpointId, String reason) {
    }

    private final ProviderService providers;
    private final ModelRepository models;
    private final ModelAdmin admin;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public CatalogSync(ProviderService providers, ModelRepository models, ModelAdmin admin, ObjectMapper json) {
        this.providers = providers;
        this.models = models;
        this.admin = admin;
        this.json = json;
    }

    private record Listed(String endpointId, JsonNode metadata, JsonNode schema, String problem) {
    }

    private record Remote(List<Listed> listed, Map<String, JsonNode> prices) {
    }

    public Uni<Synced> sync(UUID providerId) {
        long started = System.nanoTime();
        return providers.get(providerId).chain(p -> {
            if (!Provider.FAL.equals(p.type()) || p.catalogUrl() == null) {
                throw ProblemException.conflict("CATALOG_NOT_CONFIGURED", "Provider " + p.name()
                        + " has no catalog_url; set one to sync its models.");
            }
            return providers.remote(p.name()).map(e -> e.orElseThrow(() -> ProblemException.conflict("PROVIDER_DISABLED",
                            "Provider " + p.name() + " is disabled; enable it to sync its models.")))
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(endpoint -> read(p.catalogUrl(), endpoint.apiKey()))
                    .chain(remote -> models.byProviderModel(p.name()).chain(ours -> apply(p, remote, ours)))
                    .map(applied -> new Synced(applied.added(), applied.updated(), applied.skipped().size(), applied.total(),
                            (System.nanoTime() - started) / 1_000_000, applied.skipped()));
        });
    }

    private record Applied(int added, int updated, List<Skipped> skipped, int total) {
    }

    private Uni<Applied> apply(Provider p, Remote remote, Map<String, Model> ours) {
        List<Skipped> left = Collections.synchronizedList(new ArrayList<>());
        List<Uni<String>> steps = new ArrayList<>();
        for (Listed m : remote.listed()) {
            if (m.problem() != null) {
                left.add(new Skipped(m.endpointId(), m.problem()));
                continue;
            }
            Model existing = ours.get(m.endpointId());
            if (existing != null) {
                steps.add(models.replaceSchema(existing.modelId(), new JsonObject(m.schema().toString()))
                        .map(changed -> changed ? "updated" : "same"));
                continue;
            }
            JsonNode price = remote.prices().get(m.endpointId());
            String unit = price == null ? null : unit(price.path("unit").asText(""));
            if (price == null || unit == null || !price.path("unit_price").isNumber()) {
                left.add(new Skipped(m.endpointId(), price == null ? "the provider lists no price"
                        : "price unit '" + price.path("unit").asText() + "' is not one we rate"));
                continue;
            }
            ModelAdmin.ModelUpsert upsert = new ModelAdmin.ModelUpsert(modelId(p.name(), m.endpointId()), p.name(), m.endpointId(), null,
                    text(m.metadata().path("display_name").asText(m.endpointId()), 100), word(m.metadata().path("category").asText("other")),
                    null, text(m.metadata().path("description").asText(""), 2000), tags(m.metadata().path("tags")), null, false, false,
                    pricing(price, unit), m.schema());
            steps.add(admin.upsert(upsert).map(done -> done.created() ? "added" : "updated")
                    .onFailure(ProblemException.class).recoverWithItem(e -> {
                        left.add(new Skipped(m.endpointId(), e.getMessage()));
                        return "skipped";
                    }));
        }
        if (steps.isEmpty()) {
            return Uni.createFrom().item(new Applied(0, 0, List.copyOf(left), remote.listed().size()));
        }
        // one at a time: a sync is rare and small, and the pool is the customers'
        return Multi.createFrom().iterable(steps).onItem().transformToUniAndConcatenate(u -> u).collect().asList().map(results -> {
            int added = (int) results.stream().filter("added"::equals).count();
            int updated = (int) results.stream().filter("updated"::equals).count();
            return new Applied(added, updated, List.copyOf(left), remote.listed().size());
        });
    }

    /** Reads every page of the provider's catalogue with the input schemas, and the prices of what it lists. Blocking. */
    private Remote read(String catalogUrl, String apiKey) {
        List<Listed> listed = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            JsonNode body = get(catalogUrl + "/models?limit=" + PAGE + "&expand=openapi-3.0"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), apiKey);
            for (JsonNode m : body.path("models")) {
                String id = m.path("endpoint_id").asText("");
                if (id.isEmpty() || id.length() > 150 || !ModelAdmin.MODEL_ID.matcher(id).matches()) {
                    continue;
                }
                if (!"active".equals(m.path("metadata").path("status").asText("active"))) {
                    continue;
                }
                JsonNode schema = inputSchema(m.path("openapi"), id);
                listed.add(new Listed(id, m.path("metadata"), schema, schema == null ? "no input schema in its OpenAPI document" : null));
            }
            if (!body.path("has_more").asBoolean(false) || body.path("next_cursor").asText("").isEmpty()) {
                break;
            }
            cursor = body.path("next_cursor").asText();
        }
        Map<String, JsonNode> prices = new HashMap<>();
        for (int i = 0; i < listed.size(); i += PAGE) {
            String ids = listed.subList(i, Math.min(listed.size(), i + PAGE)).stream()
                    .map(l -> "endpoint_id=" + URLEncoder.encode(l.endpointId(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
            for (JsonNode price : get(catalogUrl + "/models/pricing?" + ids, apiKey).path("prices")) {
                prices.put(price.path("endpoint_id").asText(), price);
            }
        }
        return new Remote(listed, prices);
    }

    private JsonNode get(String url, String apiKey) {
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                    .header("Authorization", "Key " + apiKey).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new ProblemException(502, "PROVIDER_CATALOG_UNAVAILABLE", "Bad gateway",
                        "The provider's catalogue answered HTTP " + answer.statusCode() + ".");
            }
            return json.readTree(answer.body());
        } catch (IOException e) {
            LOG.warnf("provider catalogue %s: %s", url, e.toString());
            throw new ProblemException(502, "PROVIDER_CATALOG_UNAVAILABLE", "Bad gateway",
                    "The provider's catalogue could not be read: " + e.getClass().getSimpleName() + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(503, "DEPENDENCY_UNAVAILABLE", "Service unavailable", "Interrupted.");
        }
    }

    /**
     * The JSON body schema of the endpoint's POST in its OpenAPI document, with every
     * {@code #/components/schemas/...} reference inlined and OpenAPI-only keywords dropped, so it
     * is a self-contained JSON Schema our validation can use. Null when there is none.
     */
    JsonNode inputSchema(JsonNode openapi, String endpointId) {
        JsonNode paths = openapi.path("paths");
        JsonNode op = paths.path("/" + endpointId).path("post");
        if (op.isMissingNode()) {
            Iterator<JsonNode> all = paths.elements();
            while (all.hasNext() && op.isMissingNode()) {
                JsonNode post = all.next().path("post");
                if (post.path("requestBody").isObject()) {
                    op = post;
                }
            }
        }
        JsonNode schema = op.path("requestBody").path("content").path("application/json").path("schema");
        if (!schema.isObject()) {
            return null;
        }
        JsonNode inlined = inline(schema, openapi.path("components").path("schemas"), 0);
        if (inlined == null || !"object".equals(inlined.path("type").asText()) || !inlined.path("properties").isObject()) {
            return null;
        }
        return inlined;
    }

    private JsonNode inline(JsonNode node, JsonNode components, int depth) {
        if (depth > 16) {
            return null;
        }
        if (node.isObject()) {
            if (node.has("$ref")) {
                String ref = node.path("$ref").asText();
                if (!ref.startsWith("#/components/schemas/")) {
                    return null;
                }
                JsonNode target = components.path(ref.substring("#/components/schemas/".length()));
                return target.isObject() ? inline(target, components, depth + 1) : null;
            }
            ObjectNode out = json.createObjectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getKey().startsWith("x-") || OPENAPI_ONLY.contains(f.getKey())) {
                    continue;
                }
                JsonNode value = inline(f.getValue(), components, depth + 1);
                if (value == null) {
                    return null;
                }
                out.set(f.getKey(), value);
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = json.createArrayNode();
            for (JsonNode item : node) {
                JsonNode value = inline(item, components, depth + 1);
                if (value == null) {
                    return null;
                }
                out.add(value);
            }
            return out;
        }
        return node;
    }

    /** Our price unit for the provider's, or null when we do not rate it. */
    static String unit(String providerUnit) {
        return switch (providerUnit.toLowerCase(Locale.ROOT)) {
            case "image", "images" -> "images";
            case "megapixel", "megapixels" -> "megapixels";
            case "second", "seconds", "video_second", "audio_second" -> "seconds";
            case "step", "steps" -> "steps";
            case "request", "requests", "call", "calls" -> "flat";
            default -> null;
        };
    }

    private ObjectNode pricing(JsonNode price, String unit) {
        ObjectNode config = json.createObjectNode().put("version", 1).put("currency", price.path("currency").asText("USD"));
        config.putObject("pay_as_you_go").putObject(unit).put("price", new BigDecimal(price.path("unit_price").asText()));
        return config;
    }

    private static String modelId(String provider, String endpointId) {
        return provider + "/" + endpointId;
    }

    private static String text(String value, int max) {
        String t = value.strip();
        return t.length() > max ? t.substring(0, max) : t;
    }

    private static String word(String value) {
        String w = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return w.isEmpty() ? "other" : w.length() > 50 ? w.substring(0, 50) : w;
    }

    private static List<String> tags(JsonNode tags) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : tags) {
            String w = word(t.asText(""));
            if (!w.equals("other") && w.length() <= 32 && !out.contains(w) && out.size() < 20) {
                out.add(w);
            }
        }
        out.add("remote");
        return out.stream().distinct().toList();
    }
}
