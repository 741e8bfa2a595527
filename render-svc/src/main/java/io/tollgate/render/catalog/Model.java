package io.tollgate.render.catalog;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A model of the catalogue: what it renders with, how it is priced and what input it takes.
 * Prices are rated in millionths of a minor unit ({@code unitPriceMicros} per unit of {@code priceUnit}). A remote
 * model names its id at the provider ({@code providerModel}).
 */
public record Model(String modelId, String displayName, String category, String lab, String description, List<String> tags,
                    String provider, String renderer, String priceUnit, long unitPriceMicros, long minPriceMicros,
                    int discountPercent, String currency, JsonObject inputSchema, boolean visible, boolean community,
                    long popularity, Instant publishedAt, String providerModel) {

    static final String COLUMNS = """
            model_id, display_name, category, lab, description, tags, provider, renderer, price_unit, unit_price_micros,
            min_price_micros, discount_percent, currency, input_schema, visible, community, popularity, published_at, provider_model""";

    static Model from(Row r) {
        return new Model(r.getString("model_id"), r.getString("display_name"), r.getString("category"), r.getString("lab"),
                r.getString("description"), Arrays.asList(r.getArrayOfStrings("tags")), r.getString("provider"),
                r.getString("renderer"), r.getString("price_unit"), r.getLong("unit_price_micros"), r.getLong("min_price_micros"),
                r.getInteger("discount_percent"), r.getString("currency").trim(), (JsonObject) r.getValue("input_schema"),
                r.getBoolean("visible"), r.getBoolean("community"), r.getLong("popularity"),
                r.getOffsetDateTime("published_at").toInstant(), r.getString("provider_model"));
    }
}
