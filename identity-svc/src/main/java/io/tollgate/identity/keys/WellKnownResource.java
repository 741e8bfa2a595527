package io.tollgate.identity.keys;

import io.smallrye.mutiny.Uni;
import io.tollgate.identity.tenants.TenantService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The public key set and the OpenID discovery document of the token authority. */
@Path("/.well-known")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Discovery")
public class WellKnownResource {

    private final SigningKeys keys;
    private final TokenIssuer issuer;
    private final TenantService tenants;
    private final String publicBaseUrl;
    private final String publicHost;

    public WellKnownResource(SigningKeys keys, TokenIssuer issuer, TenantService tenants,
                             @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String publicBaseUrl) {
        this.keys = keys;
        this.issuer = issuer;
        this.tenants = tenants;
        this.publicBaseUrl = publicBaseUrl;
        String host = URI.create(publicBaseUrl).getHost();
        this.publicHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
    }

    @GET
    @Path("/jwks.json")
    @Operation(summary = "The signing keys: the active one, the next one and recently retired ones")
    public Response jwks() {
        CacheControl cache = new CacheControl();
        cache.setMaxAge(300);
        return Response.ok(keys.jwks()).cacheControl(cache).build();
    }

    /**
     * The document names the deployment's public URL, or a tenant's verified custom domain when the
     * request came in on it. Any other {@code Host} a caller sends is not echoed: a document pointing
     * at a host the caller chose would send other clients' tokens there once a cache kept it.
     */
    @GET
    @Path("/openid-configuration")
    @Operation(summary = "OpenID Provider metadata; URLs point at the public gateway (or a tenant's verified domain)")
    public Uni<Map<String, Object>> discovery(@HeaderParam("X-Forwarded-Host") String forwardedHost,
                                              @HeaderParam("X-Forwarded-Proto") String forwardedProto) {
        String host = forwardedHost == null ? null : forwardedHost.trim().toLowerCase(Locale.ROOT);
        if (host == null || !host.matches("^[a-z0-9.-]{1,253}$") || host.equals(publicHost)) {
            return Uni.createFrom().item(document(publicBaseUrl));
        }
        return tenants.byVerifiedDomain(host)
                .map(tenant -> document(tenant == null ? publicBaseUrl
                        : ("http".equals(forwardedProto) ? "http" : "https") + "://" + host));
    }

    private Map<String, Object> document(String base) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer.issuer());
        doc.put("jwks_uri", base + "/.well-known/jwks.json");
        doc.put("token_endpoint", base + "/v1/auth/login");
        doc.put("revocation_endpoint", base + "/v1/auth/logout");
        doc.put("userinfo_endpoint", base + "/v1/me");
        doc.put("response_types_supported", List.of("token"));
        doc.put("grant_types_supported", List.of("password", "refresh_token", "client_credentials"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_post"));
        doc.put("claims_supported", List.of("sub", "tid", "sid", "groups", "scope", "email_verified", "amr", "akid",
                "auth_src", "iss", "aud", "exp", "iat", "nbf", "jti"));
        doc.put("scopes_supported", io.tollgate.identity.apikeys.Scopes.ALL);
        return doc;
    }
}
