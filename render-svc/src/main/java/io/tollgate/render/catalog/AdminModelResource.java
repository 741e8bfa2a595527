package io.tollgate.render.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.vertx.core.json.JsonObject;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;

/** Platform administrators: the whole catalogue, hidden models too; upsert and delete (the id in the body, for its slashes). */
@Path("/v1/admin/render/models")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Render administration")
public class AdminModelResource {

    /** A model with everything an administrator sets, the price as its pricing_config and as rated. */
    public record AdminModelView(String modelId, String displayName, String category, String lab, String description, List<String> tags,
                                 String provider, String providerModel, String renderer, boolean visible, boolean community,
                                 int discountPercent, String priceUnit, long unitPriceMicros, long minPriceMicros, String currency,
                                 JsonNode pricingConfig, JsonNode inputSchema, long popularity, Instant publishedAt) {
    }

    private final ModelAdmin admin;
    private final CurrentPrincipal principal;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public AdminModelResource(ModelAdmin admin, CurrentPrincipal principal, com.fasterxml.jackson.databind.ObjectMapper json) {
        this.admin = admin;
        this.principal = principal;
        this.json = json;
    }

    @GET
    @Operation(summary = "Every model, hidden ones and those of a disabled provider too; filter by provider")
    public Uni<Page<AdminModelView>> list(@QueryParam("provider") String provider, @Valid @BeanParam PageRequest page) {
        principal.get().requirePlatformAdmin();
        if (provider != null && provider.length() > 64) {
            throw io.tollgate.kit.problem.ProblemException.validation("provider", "must be a provider's name");
        }
        return admin.list(provider, page).map(p -> p.map(this::view));
    }

    @GET
    @Path("/{modelId: .+}")
    @Operation(summary = "One model by its id (slashes unencoded), hidden or not")
    public Uni<AdminModelView> get(@PathParam("modelId") String modelId) {
        principal.get().requirePlatformAdmin();
        return admin.get(modelId).map(this::view);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a model: 201 when created, 200 when replaced; 400 INVALID_PRICING_CONFIG with issues[]")
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = AdminModelView.class)))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = AdminModelView.class)))
    public Uni<Response> upsert(ModelAdmin.ModelUpsert body) {
        principal.get().requirePlatformAdmin();
        return admin.upsert(body).map(done -> Response.status(done.created() ? 201 : 200).entity(view(done.model())).build());
    }

    @DELETE
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Delete a model no job names ({model_id} in the body); 409 MODEL_IN_USE otherwise")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(ModelAdmin.ModelRef body) {
        principal.get().requirePlatformAdmin();
        return admin.delete(body).map(ignored -> Response.noContent().build());
    }

    private AdminModelView view(Model m) {
        ObjectNode config = admin.pricingConfig(m);
        JsonNode schema = json.valueToTree(m.inputSchema() == null ? new JsonObject().getMap() : m.inputSchema().getMap());
        return new AdminModelView(m.modelId(), m.displayName(), m.category(), m.lab(), m.description(), m.tags(), m.provider(),
                m.providerModel(), m.renderer(), m.visible(), m.community(), m.discountPercent(), m.priceUnit(), m.unitPriceMicros(),
                m.minPriceMicros(), m.currency(), config, schema, m.popularity(), m.publishedAt());
    }
}
