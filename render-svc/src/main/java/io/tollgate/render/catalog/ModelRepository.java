package io.tollgate.render.catalog;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
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

    private static Optional<Model> first(Iterable<Row> rows) {
        for (Row row : rows) {
            return Optional.of(Model.from(row));
        }
        return Optional.empty();
    }
}
