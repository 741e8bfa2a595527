package io.tollgate.render.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.render.providers.Provider;
import io.tollgate.render.providers.ProviderRepository;
import io.tollgate.render.renderers.Renderers;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The catalogue as administrators keep it: every model, hidden ones too; an upsert whose
 * {@code pricing_config} ({@code {version: 1, currency, pay_as_you_go: {<unit>: {price, min_price}}}},
 * prices in major units) is checked and turned into the rated price, 400 {@code INVALID_PRICING_CONFIG}
 * with {@code issues[]} otherwise; a delete of a model no job names.
 */
@ApplicationScoped
public class ModelAdmin {

    static final Pattern MODEL_ID = Pattern.compile("^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$");
    private static final Pattern WORD = Pattern.compile("^[a-z0-9][a-z0-9-]{0,49}$");
    private static final Set<String> UNITS = Set.of("images", "megapixels", "seconds", "steps", "flat");
    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000);
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    /** What an administrator sends; absent optional fields take their defaults. */
    public record ModelUpsert(String modelId, String provider, String providerModel, String renderer, String displayName,
                              String category, String lab, String description, List<String> tags, Integer discountPercent,
                              Boolean visible, Boolean community, JsonNode pricingConfig, JsonNode inputSchema) {
    }

    /** The body of a delete: the id travels in the body because it holds slashes. */
    public record ModelRef(String modelId) {
    }

    /** A pricing config's problem, by its path in the config. */
    public record Issue(String path, String message) {
    }

    private record Price(String unit, long unitMicros, long minMicros, String currency) {
    }

    private final ModelRepository models;
    private final ProviderRepository providers;
    private final Renderers renderers;
    private final ObjectMapper json;

    public ModelAdmin(ModelRepository models, ProviderRepository providers, Renderers renderers, ObjectMapper json) {
        this.models = models;
        this.providers = providers;
        this.renderers = renderers;
        this.json = json;
    }

    public Uni<Page<Model>> list(String provider, PageRequest page) {
        return models.all(provider, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    public Uni<Model> get(String modelId) {
        return models.any(modelId).map(found -> found.orElseThrow(() -> CatalogService.unknown(modelId)));
    }

    /** Creates or replaces a model; the answer says which. */
    public record Upserted(Model model, boolean created) {
    }

    public Uni<Upserted> upsert(ModelUpsert body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_BODY", "The body must be a JSON object.");
        }
        checkFields(body);
        Price price = price(body.pricingConfig());
        String providerName = body.provider() == null ? Provider.LOCAL : body.provider();
        return providers.named(providerName).chain(found -> {
            Provider provider = found.orElseThrow(() -> ProblemException.validation("provider", "no provider is named " + providerName));
            String renderer;
            String providerModel;
            if (Provider.LOCAL.equals(provider.type())) {
                if (body.renderer() == null || body.renderer().equals("fal-queue") || renderers.named(body.renderer()).isEmpty()) {
                    throw ProblemException.validation("renderer", "a local model names one of this service's renderers");
                }
                renderer = body.renderer();
                providerModel = null;
            } else {
                renderer = "fal-queue";
                providerModel = body.providerModel() == null ? body.modelId() : body.providerModel();
                if (providerModel.length() > 200 || !MODEL_ID.matcher(providerModel).matches()) {
                    throw ProblemException.validation("provider_model", "must be the provider's model id (a-z, 0-9, . _ - and /)");
                }
            }
            Model model = new Model(body.modelId(), body.displayName(), body.category(), body.lab() == null ? provider.name() : body.lab(),
                    body.description() == null ? "" : body.description(), body.tags() == null ? List.of() : body.tags(), provider.name(),
                    renderer, price.unit(), price.unitMicros(), price.minMicros(),
                    body.discountPercent() == null ? 0 : body.discountPercent(), price.currency(),
                    new JsonObject(body.inputSchema().toString()), body.visible() == null || body.visible(),
                    body.community() != null && body.community(), 0, null, providerModel);
            return models.upsert(model).chain(created -> get(model.modelId()).map(saved -> new Upserted(saved, created)));
        });
    }

    public Uni<Void> delete(ModelRef body) {
        if (body == null || body.modelId() == null || body.modelId().isBlank() || body.modelId().length() > 200) {
            throw ProblemException.validation("model_id", "is required");
        }
        return models.delete(body.modelId()).map(result -> {
            if (result.isEmpty()) {
                throw CatalogService.unknown(body.modelId());
            }
            if (!result.get()) {
                throw ProblemException.conflict("MODEL_IN_USE", "Jobs name " + body.modelId()
                        + "; hide it with visible: false instead.");
            }
            return null;
        });
    }

    /** The config an administrator would send for this model (prices back in major units). */
    public ObjectNode pricingConfig(Model model) {
        int digits = Currency.getInstance(model.currency()).getDefaultFractionDigits();
        ObjectNode unit = json.createObjectNode()
                .put("price", BigDecimal.valueOf(model.unitPriceMicros()).divide(MICROS).movePointLeft(digits).stripTrailingZeros());
        if (model.minPriceMicros() > 0) {
            unit.put("min_price", BigDecimal.valueOf(model.minPriceMicros()).divide(MICROS).movePointLeft(digits).stripTrailingZeros());
        }
        ObjectNode config = json.createObjectNode().put("version", 1).put("currency", model.currency());
        config.putObject("pay_as_you_go").set(model.priceUnit(), unit);
        return config;
    }

    private static void checkFields(ModelUpsert b) {
        if (b.modelId() == null || b.modelId().length() > 200 || !MODEL_ID.matcher(b.modelId()).matches()) {
            throw ProblemException.validation("model_id", "must be lower-case segments of a-z, 0-9, . _ - joined by /, at most 200");
        }
        if (b.provider() != null && (b.provider().length() > 64 || !b.provider().matches("^[a-z0-9-]+$"))) {
            throw ProblemException.validation("provider", "must be a provider's name");
        }
        if (b.renderer() != null && (b.renderer().length() > 64 || !b.renderer().matches("^[a-z0-9-]+$"))) {
            throw ProblemException.validation("renderer", "must be a renderer's name");
        }
        text("display_name", b.displayName(), 1, 100, true);
        if (b.category() == null || !WORD.matcher(b.category()).matches()) {
            throw ProblemException.validation("category", "must be 1 to 50 of a-z, 0-9 and -");
        }
        if (b.lab() != null && !WORD.matcher(b.lab()).matches()) {
            throw ProblemException.validation("lab", "must be 1 to 50 of a-z, 0-9 and -");
        }
        text("description", b.description(), 0, 2000, false);
        if (b.tags() != null && (b.tags().size() > 20 || b.tags().stream().anyMatch(t -> t == null || !t.matches("^[a-z0-9-]{1,32}$")))) {
            throw ProblemException.validation("tags", "at most 20 tags of 1 to 32 of a-z, 0-9 and -");
        }
        if (b.discountPercent() != null && (b.discountPercent() < 0 || b.discountPercent() > 99)) {
            throw ProblemException.validation("discount_percent", "must be 0 to 99");
        }
        JsonNode schema = b.inputSchema();
        if (schema == null || !schema.isObject() || !"object".equals(schema.path("type").asText()) || !schema.path("properties").isObject()) {
            throw ProblemException.validation("input_schema", "must be a JSON Schema of an object with properties");
        }
        String text = schema.toString();
        if (text.length() > 65_536 || text.contains("\\u0000")) {
            throw ProblemException.validation("input_schema", "must be at most 64 KiB and hold no NUL");
        }
        try {
            FACTORY.getSchema(schema).validate(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        } catch (RuntimeException e) {
            throw ProblemException.validation("input_schema", "is not a JSON Schema (2020-12): " + e.getMessage());
        }
    }

    private static void text(String field, String value, int min, int max, boolean required) {
        if (value == null) {
            if (required) {
                throw ProblemException.validation(field, "is required");
            }
            return;
        }
        if (value.length() < min || value.length() > max || value.indexOf('\u0000') >= 0 || (required && value.isBlank())) {
            throw ProblemException.validation(field, "must be " + min + " to " + max + " characters without NUL");
        }
    }

    /** Checks the whole config and reports every problem at once. */
    private static Price price(JsonNode config) {
        List<Issue> issues = new ArrayList<>();
        if (config == null || !config.isObject()) {
            throw invalid(List.of(new Issue("", "pricing_config is required and must be an object")));
        }
        if (config.path("version").asInt(-1) != 1 || !config.path("version").isIntegralNumber()) {
            issues.add(new Issue("version", "must be 1"));
        }
        String currency = config.path("currency").asText("");
        int digits = 0;
        try {
            if (!currency.matches("^[A-Z]{3}$")) {
                throw new IllegalArgumentException();
            }
            digits = Currency.getInstance(currency).getDefaultFractionDigits();
            if (digits < 0) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            issues.add(new Issue("currency", "must be an ISO 4217 currency code"));
        }
        JsonNode plans = config.path("pay_as_you_go");
        Map<String, JsonNode> units = new LinkedHashMap<>();
        if (!plans.isObject()) {
            issues.add(new Issue("pay_as_you_go", "must be an object with one price unit"));
        } else {
            plans.fields().forEachRemaining(e -> units.put(e.getKey(), e.getValue()));
            if (units.size() != 1) {
                issues.add(new Issue("pay_as_you_go", "must name exactly one of " + String.join(", ", UNITS.stream().sorted().toList())));
            }
            units.keySet().stream().filter(u -> !UNITS.contains(u))
                    .forEach(u -> issues.add(new Issue("pay_as_you_go." + u, "is not a price unit")));
        }
        config.fieldNames().forEachRemaining(name -> {
            if (!Set.of("version", "currency", "pay_as_you_go").contains(name)) {
                issues.add(new Issue(name, "is not a pricing field"));
            }
        });
        long unitMicros = 0;
        long minMicros = 0;
        String unit = units.size() == 1 ? units.keySet().iterator().next() : null;
        if (unit != null && UNITS.contains(unit)) {
            JsonNode entry = units.get(unit);
            unitMicros = micros(entry.path("price"), "pay_as_you_go." + unit + ".price", digits, true, issues);
            minMicros = micros(entry.path("min_price"), "pay_as_you_go." + unit + ".min_price", digits, false, issues);
            entry.fieldNames().forEachRemaining(name -> {
                if (!Set.of("price", "min_price").contains(name)) {
                    issues.add(new Issue("pay_as_you_go." + unit + "." + name, "is not a price field"));
                }
            });
        }
        if (!issues.isEmpty()) {
            throw invalid(issues);
        }
        return new Price(unit, unitMicros, minMicros, currency);
    }

    /** A price in major units as millionths of a minor unit; it must be exact at that precision. */
    private static long micros(JsonNode value, String path, int digits, boolean required, List<Issue> issues) {
        if (value.isMissingNode() || value.isNull()) {
            if (required) {
                issues.add(new Issue(path, "is required"));
            }
            return 0;
        }
        if (!value.isNumber() || value.decimalValue().signum() < 0) {
            issues.add(new Issue(path, "must be a number of at least 0"));
            return 0;
        }
        BigDecimal micros = value.decimalValue().movePointRight(digits).multiply(MICROS);
        if (micros.stripTrailingZeros().scale() > 0 || micros.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1000)) > 0) {
            issues.add(new Issue(path, "has more precision than a millionth of a minor unit, or is too large"));
            return 0;
        }
        return micros.longValueExact();
    }

    private static ProblemException invalid(List<Issue> issues) {
        return new ProblemException(400, "INVALID_PRICING_CONFIG", "Bad request", "The pricing_config is not valid: "
                + issues.size() + " issue(s).").with("issues", issues);
    }
}
