package io.tollgate.render.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.render.pricing.Quote;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The model catalogue: public. Model ids hold slashes unencoded ({@code local/procedural-image}). */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Models")
public class ModelResource {

    /** Prices are in millionths of a minor unit of {@code currency}, per unit of {@code price_unit}. */
    public record ModelView(String modelId, String displayName, String category, String lab, String description, List<String> tags,
                            String priceUnit, long unitPriceMicros, long minPriceMicros, int discountPercent, String currency,
                            boolean community, Instant publishedAt) {
        static ModelView of(Model m) {
            return new ModelView(m.modelId(), m.displayName(), m.category(), m.lab(), m.description(), m.tags(), m.priceUnit(),
                    m.unitPriceMicros(), m.minPriceMicros(), m.discountPercent(), m.currency(), m.community(), m.publishedAt());
        }
    }

    public record ModelDetail(String modelId, String displayName, String category, String lab, String description, List<String> tags,
                              String priceUnit, long unitPriceMicros, long minPriceMicros, int discountPercent, String currency,
                              boolean community, Instant publishedAt, Map<String, Object> inputSchema) {
        static ModelDetail of(Model m) {
            return new ModelDetail(m.modelId(), m.displayName(), m.category(), m.lab(), m.description(), m.tags(), m.priceUnit(),
                    m.unitPriceMicros(), m.minPriceMicros(), m.discountPercent(), m.currency(), m.community(), m.publishedAt(),
                    m.inputSchema().getMap());
        }
    }

    public record Estimate(String modelId, long estimatedCostMinor, String currency, String priceUnit, BigDecimal quantity,
                           List<Quote.Line> breakdown) {
        static Estimate of(Quote q) {
            return new Estimate(q.modelId(), q.costMinor(), q.currency(), q.priceUnit(), q.quantity(), q.breakdown());
        }
    }

    private final CatalogService catalog;

    public ModelResource(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GET
    @Operation(summary = "Visible models; category, lab and tag take comma lists (tags must all match), sort popular|newest|price_asc|by_category")
    public Uni<Page<ModelView>> list(@QueryParam("category") String category, @QueryParam("lab") String lab,
                                     @QueryParam("tag") String tag, @QueryParam("search") String search,
                                     @QueryParam("sort") String sort, @QueryParam("include_community") boolean includeCommunity,
                                     @Valid @BeanParam PageRequest page) {
        return catalog.list(category, lab, tag, search, sort, includeCommunity, page).map(p -> p.map(ModelView::of));
    }

    @GET
    @Path("/{modelId: .+}")
    @Operation(summary = "One model with its input JSON Schema; 404 UNKNOWN_MODEL for an unknown or hidden one")
    public Uni<ModelDetail> get(@PathParam("modelId") String modelId) {
        return catalog.model(modelId).map(ModelDetail::of);
    }

    @POST
    @Path("/{modelId: .+}/estimate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "What this input would cost, computed as the charge is; no side effects")
    public Uni<Estimate> estimate(@PathParam("modelId") String modelId, JsonNode input) {
        return catalog.estimate(modelId, input).map(Estimate::of);
    }
}
