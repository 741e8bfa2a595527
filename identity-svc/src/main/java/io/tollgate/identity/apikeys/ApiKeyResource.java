package io.tollgate.identity.apikeys;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.web.NoStore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The caller's API keys. Managing keys needs a user session: a key cannot mint keys. */
@NoStore
@Path("/v1/api-keys")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "API keys")
public class ApiKeyResource {

    public record NewKey(String name, String environment, List<String> scopes, List<String> allowedIps,
                         Integer rateLimitRpm, Instant expiresAt) {
    }

    public record KeyChanges(String name, List<String> scopes, List<String> allowedIps, Integer rateLimitRpm,
                             Instant expiresAt) {
    }

    public record KeyView(UUID id, String name, String environment, String keyPrefix, String last4, List<String> scopes,
                          List<String> allowedIps, int rateLimitRpm, Instant expiresAt, Instant lastUsedAt,
                          long usageCount, boolean isActive, Instant revokedAt, Instant createdAt, String secretKey) {
        static KeyView of(ApiKey key, String secret, Instant now) {
            return new KeyView(key.id(), key.name(), key.environment(), key.keyPrefix(), key.last4(), key.scopes(), key.allowedIps(),
                    key.rateLimitRpm(), key.expiresAt(), key.lastUsedAt(), key.usageCount(), key.active(now),
                    key.revokedAt(), key.createdAt(), secret);
        }
    }

    public record ScopeView(String scope, String description, boolean available) {
    }

    private final ApiKeyService keys;
    private final CurrentPrincipal principal;
    private final Clock clock;

    public ApiKeyResource(ApiKeyService keys, CurrentPrincipal principal, Clock clock) {
        this.keys = keys;
        this.principal = principal;
        this.clock = clock;
    }

    @GET
    @Path("/scopes")
    @Operation(summary = "The scopes a key can be granted")
    public List<ScopeView> scopes() {
        principal.jwt();
        return Scopes.CATALOGUE.entrySet().stream().map(e -> new ScopeView(e.getKey(), e.getValue(), true)).toList();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a key; the secret is in this response only",
            description = "No Idempotency-Key here on purpose: replaying the response would mean storing the secret.")
    public Uni<Response> create(@Valid @NotNull NewKey body) {
        return keys.create(principal.jwt().owner(), new ApiKeyService.Settings(body.name(), body.environment(), body.scopes(),
                        body.allowedIps(), body.rateLimitRpm(), body.expiresAt()))
                .map(created -> Response.status(201).entity(KeyView.of(created.key(), created.secret(), clock.instant())).build());
    }

    @GET
    @Operation(summary = "The caller's keys: prefix and last four characters only")
    public Uni<Page<KeyView>> list(@Valid @BeanParam PageRequest page) {
        return keys.list(principal.jwt().owner(), page).map(p -> p.map(k -> KeyView.of(k, null, clock.instant())));
    }

    @GET
    @Path("/{id}")
    public Uni<KeyView> get(@PathParam("id") UUID id) {
        return keys.get(principal.jwt().owner(), id).map(k -> KeyView.of(k, null, clock.instant()));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change name, scopes, allowed addresses, rate limit or expiry")
    public Uni<KeyView> update(@PathParam("id") UUID id, @Valid @NotNull KeyChanges body) {
        return keys.update(principal.jwt().owner(), id, new ApiKeyService.Settings(body.name(), null, body.scopes(), body.allowedIps(),
                body.rateLimitRpm(), body.expiresAt())).map(k -> KeyView.of(k, null, clock.instant()));
    }

    @POST
    @Path("/{id}/regenerate")
    @Operation(summary = "A new secret with the same settings; the old one stops working at once")
    public Uni<KeyView> regenerate(@PathParam("id") UUID id) {
        return keys.regenerate(principal.jwt().owner(), id).map(c -> KeyView.of(c.key(), c.secret(), clock.instant()));
    }

    @POST
    @Path("/{id}/revoke")
    @Operation(summary = "Deactivate a key and keep it for the record")
    public Uni<KeyView> revoke(@PathParam("id") UUID id) {
        return keys.revoke(principal.jwt().owner(), id, "revoked by its owner").map(k -> KeyView.of(k, null, clock.instant()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return keys.delete(principal.jwt().owner(), id).replaceWith(Response.noContent().build());
    }

}
