package io.tollgate.identity.internal;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.identity.apikeys.ApiKeyService;
import io.tollgate.identity.keys.TokenIssuer;
import io.tollgate.identity.tenants.TenantService;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.web.NoStore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Calls from our own services, never routed by the gateway: client-credentials service tokens,
 * and the API-key exchange the gateway uses (with a service token).
 */
@NoStore
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Internal")
public class InternalResource {

    public record ServiceTokenRequest(@NotBlank @Size(max = 64) String clientId, @NotBlank @Size(max = 200) String clientSecret) {
    }

    public record ServiceToken(String accessToken, String tokenType, long expiresIn) {
    }

    public record ExchangeRequest(@NotBlank @Size(max = 100) String key, @NotBlank @Size(max = 64) String ipAddress) {
    }

    public record Exchange(String accessToken, long expiresIn, Instant expiresAt, UUID keyId, UUID userId, UUID tenantId,
                           List<String> scopes, int rateLimitRpm, List<String> allowedIps) {
    }

    public record TenantOrigins(UUID tenantId, List<String> allowedOrigins) {
    }

    private final TokenIssuer issuer;
    private final ApiKeyService keys;
    private final TenantService tenants;
    private final CurrentPrincipal principal;
    private final ServiceCredentials credentials;

    public InternalResource(TokenIssuer issuer, ApiKeyService keys, TenantService tenants, CurrentPrincipal principal,
                            ServiceCredentials credentials) {
        this.issuer = issuer;
        this.keys = keys;
        this.tenants = tenants;
        this.principal = principal;
        this.credentials = credentials;
    }

    @POST
    @Path("/tokens")
    @Operation(summary = "A service token for one of our services (client credentials)")
    public ServiceToken serviceToken(@Valid @NotNull ServiceTokenRequest body) {
        if (!credentials.valid(body.clientId(), body.clientSecret())) {
            throw ProblemException.unauthorized("INVALID_CLIENT", "Unknown client or wrong secret.");
        }
        TokenIssuer.Issued token = issuer.service(body.clientId(), List.of("internal"));
        return new ServiceToken(token.token(), "Bearer", token.expiresIn());
    }

    @POST
    @Path("/api-keys/exchange")
    @Authenticated
    @Operation(summary = "Exchange an API key and the caller's address for a short-lived token (gateway only)")
    public Uni<Exchange> exchange(@Valid @NotNull ExchangeRequest body) {
        requireGateway();
        return keys.exchange(body.key(), body.ipAddress()).map(e -> new Exchange(e.token().token(), e.token().expiresIn(),
                e.token().expiresAt(), e.key().id(), e.key().userId(), e.key().tenantId(), e.key().scopes(), e.key().rateLimitRpm(),
                e.key().allowedIps()));
    }

    @GET
    @Path("/tenants/origins")
    @Authenticated
    @Operation(summary = "Every tenant's allowed browser origins, for the gateway's CORS (gateway only)")
    public Uni<Map<String, List<TenantOrigins>>> tenantOrigins() {
        requireGateway();
        return tenants.allowedOrigins().map(all -> Map.of("data", all.stream()
                .map(t -> new TenantOrigins(t.tenantId(), t.origins())).toList()));
    }

    private void requireGateway() {
        principal.get().requireService("gateway");
    }
}
