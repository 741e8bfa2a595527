package io.tollgate.render.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.render.pricing.Pricing;
import io.tollgate.render.pricing.Quote;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** The public catalogue and the estimate: no side effects, the same pricing as the charge. */
@ApplicationScoped
public class CatalogService {

    private static final Map<String, String> SORTS = Map.of("popular", "popularity desc", "newest", "published_at desc",
            "price_asc", "unit_price_micros asc", "by_category", "category asc");
    static final int MAX_SEARCH = 64;

    private final ModelRepository models;
    private final InputValidation inputs;
    private final Pricing pricing;

    public CatalogService(ModelRepository models, InputValidation inputs, Pricing pricing) {
        this.models = models;
        this.inputs = inputs;
        this.pricing = pricing;
    }

    public Uni<Page<Model>> list(String category, String lab, String tag, String search, String sort, boolean includeCommunity,
                                 PageRequest page) {
        if (search != null && search.length() > MAX_SEARCH) {
            throw ProblemException.validation("search", "must be at most " + MAX_SEARCH + " characters");
        }
        String order = SORTS.get(sort == null ? "popular" : sort);
        if (order == null) {
            throw ProblemException.validation("sort", "must be one of popular, newest, price_asc, by_category");
        }
        var filter = new ModelRepository.Filter(csv(category), csv(lab), csv(tag), blank(search) ? null : search.trim(), includeCommunity);
        return models.page(filter, order, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    /** A visible model, or 404 {@code UNKNOWN_MODEL} (an unknown and a hidden one look the same). */
    public Uni<Model> model(String modelId) {
        return models.visible(modelId).map(found -> found.orElseThrow(() -> unknown(modelId)));
    }

    /** What the input would cost, with the input checked as a submit checks it. */
    public Uni<Quote> estimate(String modelId, JsonNode input) {
        return model(modelId).map(model -> pricing.quote(model, inputs.check(model, input)));
    }

    public static ProblemException unknown(String modelId) {
        return new ProblemException(404, "UNKNOWN_MODEL", "Not found", "Unknown or hidden model: " + modelId + ".");
    }

    private static String[] csv(String value) {
        if (blank(value)) {
            return null;
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT))
                .toArray(String[]::new);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
