package io.tollgate.render.providers;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.render.catalog.CatalogSync;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.UUID;

/** Platform administrators: the providers models are served by. Keys go in and never come out. */
@Path("/v1/admin/render/providers")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Render administration")
public class AdminProviderResource {

    /** A provider as administrators see it: the key only as whether one is set. */
    public record ProviderView(UUID id, String name, String type, String displayName, String baseUrl, boolean hasApiKey,
                               boolean enabled, int priority, String callbackJwksUrl, String catalogUrl, Instant createdAt, Instant updatedAt) {
        static ProviderView of(Provider p) {
            return new ProviderView(p.id(), p.name(), p.type(), p.displayName(), p.baseUrl(), p.apiKeySealed() != null, p.enabled(),
                    p.priority(), p.callbackJwksUrl(), p.catalogUrl(), p.createdAt(), p.updatedAt());
        }
    }

    private final ProviderService providers;
    private final CatalogSync catalog;
    private final CurrentPrincipal principal;

    public AdminProviderResource(ProviderService providers, CatalogSync catalog, CurrentPrincipal principal) {
        this.providers = providers;
        this.catalog = catalog;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "Every provider, by priority")
    public Uni<Page<ProviderView>> list(@Valid @BeanParam PageRequest page) {
        principal.get().requirePlatformAdmin();
        return providers.all().map(all -> Page.of(all.stream().skip(page.offset()).limit(page.size()).map(ProviderView::of).toList(),
                page, all.size()));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a remote provider (type fal) with its base_url and api_key, and callback_jwks_url if it signs completion callbacks; 409 PROVIDER_NAME_TAKEN")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = ProviderView.class)))
    public Uni<Response> create(ProviderService.NewProvider body) {
        principal.get().requirePlatformAdmin();
        return providers.create(body).map(p -> Response.status(201).entity(ProviderView.of(p)).build());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One provider")
    public Uni<ProviderView> get(@PathParam("id") UUID id) {
        principal.get().requirePlatformAdmin();
        return providers.get(id).map(ProviderView::of);
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a provider's name shown, address, key, priority, callback keys (callback_jwks_url; empty removes) or whether it is enabled")
    public Uni<ProviderView> change(@PathParam("id") UUID id, ProviderService.ProviderChange body) {
        principal.get().requirePlatformAdmin();
        return providers.change(id, body).map(ProviderView::of);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a provider no model names; 409 PROVIDER_IN_USE otherwise")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        principal.get().requirePlatformAdmin();
        return providers.delete(id).map(ignored -> Response.noContent().build());
    }

    @POST
    @Path("/{id}/test")
    @Operation(summary = "Reach the provider with its key: {ok, latency_ms, error}; nothing is submitted")
    public Uni<ProviderService.ProviderTest> test(@PathParam("id") UUID id) {
        principal.get().requirePlatformAdmin();
        return providers.test(id);
    }

    @POST
    @Path("/{id}/sync-catalog")
    @Operation(summary = "Read the provider's catalogue (catalog_url): models we serve from it get its current input schema, new ones"
            + " are added hidden at its price; {added, updated, skipped, total, elapsed_ms, skipped_models}; 409 CATALOG_NOT_CONFIGURED,"
            + " 502 PROVIDER_CATALOG_UNAVAILABLE")
    public Uni<CatalogSync.Synced> syncCatalog(@PathParam("id") UUID id) {
        principal.get().requirePlatformAdmin();
        return catalog.sync(id);
    }
}
