package io.tollgate.render.catalog;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code models} table. Hidden models, and models of a missing or disabled provider, exist only for administrators. */
@ApplicationScoped
public class ModelRepository {

    /** What a catalogue listing filters by; null means any. Tags match all of them (AND). */
    public record Filter(String[] categories, String[] labs, String[] tags, String search, boolean includeCommunity) {
    }

    /** $1 categories, $2 labs, $3 tags, $4 search (ILIKE pattern), $5 include community. */
    private static final String VISIBLE = """
             from models where visible and provider in (select name from providers where enabled)
               and ($1::text[] is null or category = any ($1))
               and ($2::text[] is null or lab = any ($2))
               and ($3::text[] is null or tags @> $3)
               and ($4::text is null or display_name ilike $4 or model_id ilike $4 or description ilike $4)
               and ($5 or not community)""";

    private final Pool pool;

    public ModelRepository(Pool pool) {
        this.pool = pool;
    }

    public record Slice(List<Model> rows, long total) {
    }

    public Uni<Slice> page(Filter filter, String orderBy, PageRequest page) {
        String pattern = filter.search() == null ? null : "%" + filter.search().replace("\\", "\\\\").replace("%", "\\%")
                .replace("_", "\\_") + "%";
        Tuple args = Tuple.of(filter.categories(), filter.labs(), filter.tags(), pattern, filter.includeCommunity());
        return pool.preparedQuery("select count(*) " + VISIBLE).execute(args).map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + Model.COLUMNS + " " + VISIBLE + " order by " + orderBy + ", model_id"
                                + " limit $6 offset $7")
                        .execute(Tuple.from(new Object[] {filter.categories(), filter.labs(), filter.tags(), pattern,
                                filter.includeCommunity(), page.size(), page.offset()}))
                        .map(rows -> {
                            List<Model> out = new ArrayList<>();
                            rows.forEach(r -> out.add(Model.from(r)));
                            return new Slice(out, total);
                        }));
    }

    /** A visible model by id (ids may hold slashes). */
    public Uni<Optional<Model>> visible(String modelId) {
        return pool.preparedQuery("select " + Model.COLUMNS + " from models where model_id = $1 and visible"
                        + " and provider in (select name from providers where enabled)")
                .execute(Tuple.of(modelId)).map(ModelRepository::first);
    }

    /** Every model, hidden ones and those of a disabled provider too (administrators). */
    public Uni<Slice> all(String provider, PageRequest page) {
        String where = " from models where ($1::text is null or provider = $1)";
        return pool.preparedQuery("select count(*)" + where).execute(Tuple.of(provider)).map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + Model.COLUMNS + where + " order by model_id limit $2 offset $3")
                        .execute(Tuple.of(provider, page.size(), page.offset()))
                        .map(rows -> {
                            List<Model> out = new ArrayList<>();
                            rows.forEach(r -> out.add(Model.from(r)));
                            return new Slice(out, total);
                        }));
    }

    /** A model by id whatever its visibility. */
    public Uni<Optional<Model>> any(String modelId) {
        return pool.preparedQuery("select " + Model.COLUMNS + " from models where model_id = $1").execute(Tuple.of(modelId))
                .map(ModelRepository::first);
    }

    /** Creates the model or replaces what an administrator may set; true when it was created. */
    public Uni<Boolean> upsert(Model m) {
        return pool.preparedQuery("""
                        insert into models (model_id, display_name, category, lab, description, tags, provider, renderer, provider_model,
                                            price_unit, unit_price_micros, min_price_micros, discount_percent, currency, input_schema,
                                            visible, community)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                        on conflict (model_id) do update set display_name = excluded.display_name, category = excluded.category,
                            lab = excluded.lab, description = excluded.description, tags = excluded.tags, provider = excluded.provider,
                            renderer = excluded.renderer, provider_model = excluded.provider_model, price_unit = excluded.price_unit,
                            unit_price_micros = excluded.unit_price_micros, min_price_micros = excluded.min_price_micros,
                            discount_percent = excluded.discount_percent, currency = excluded.currency,
                            input_schema = excluded.input_schema, visible = excluded.visible, community = excluded.community,
                            updated_at = now()
                        returning (xmax = 0) as created""")
                .execute(Tuple.from(new Object[] {m.modelId(), m.displayName(), m.category(), m.lab(), m.description(),
                        m.tags().toArray(String[]::new), m.provider(), m.renderer(), m.providerModel(), m.priceUnit(), m.unitPriceMicros(),
                        m.minPriceMicros(), m.discountPercent(), m.currency(), m.inputSchema(), m.visible(), m.community()}))
                .map(rows -> rows.iterator().next().getBoolean("created"));
    }

    /** A provider's models by the provider's own model id. */
    public Uni<Map<String, Model>> byProviderModel(String provider) {
        return pool.preparedQuery("select " + Model.COLUMNS + " from models where provider = $1 and provider_model is not null")
                .execute(Tuple.of(provider)).map(rows -> {
                    Map<String, Model> out = new HashMap<>();
                    rows.forEach(r -> {
                        Model m = Model.from(r);
                        out.put(m.providerModel(), m);
                    });
                    return out;
                });
    }

    /** Replaces a model's input schema; false when it was already that schema. */
    public Uni<Boolean> replaceSchema(String modelId, JsonObject schema) {
        return pool.preparedQuery("update models set input_schema = $2, updated_at = now() where model_id = $1 and input_schema <> $2")
                .execute(Tuple.of(modelId, schema)).map(rows -> rows.rowCount() == 1);
    }

    /** Deletes a model no job names; empty when it is unknown, false when jobs name it. */
    public Uni<Optional<Boolean>> delete(String modelId) {
        return pool.preparedQuery("select exists (select 1 from models where model_id = $1) as known,"
                        + " exists (select 1 from jobs where model_id = $1) as used").execute(Tuple.of(modelId))
                .chain(rows -> {
                    Row row = rows.iterator().next();
                    if (!row.getBoolean("known")) {
                        return Uni.createFrom().item(Optional.<Boolean>empty());
                    }
                    if (row.getBoolean("used")) {
                        return Uni.createFrom().item(Optional.of(false));
                    }
                    return pool.preparedQuery("delete from models m where model_id = $1 and not exists"
                                    + " (select 1 from jobs j where j.model_id = m.model_id)")
                            .execute(Tuple.of(modelId)).map(deleted -> Optional.of(deleted.rowCount() == 1));
                });
    }

    private static Optional<Model> first(Iterable<Row> rows) {
        for (Row row : rows) {
            return Optional.of(Model.from(row));
        }
        return Optional.empty();
    }
}
