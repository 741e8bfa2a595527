package io.tollgate.identity.keys;

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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The public key set and the OpenID discovery document of the token authority. */
@Path("/.well-known")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Discovery")
public class WellKnownResource {

    private final SigningKeys keys;
    private final TokenIssuer issuer;
    private final String publicBaseUrl;

    public WellKnownResource(SigningKeys keys, TokenIssuer issuer,
                             @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String publicBaseUrl) {
        this.keys = keys;
        this.issuer = issuer;
        this.publicBaseUrl = publicBaseUrl;
    }

    @GET
    @Path("/jwks.json")
    @Operation(summary = "The signing keys: the active one, the next one and recently retired ones")
    public Response jwks() {
        CacheControl cache = new CacheControl();
        cache.setMaxAge(300);
        return Response.ok(keys.jwks()).cacheControl(cache).build();
    }

    @GET
    @Path("/openid-configuration")
    @Operation(summary = "OpenID Provider metadata; URLs point at the public gateway")
    public Map<String, Object> discovery(@HeaderParam("X-Forwarded-Host") String forwardedHost,
                                         @HeaderParam("X-Forwarded-Proto") String forwardedProto) {
        String base = forwardedHost != null && forwardedHost.matches("^[A-Za-z0-9.:-]{1,255}$")
                ? (forwardedProto == null || !forwardedProto.equals("https") ? "http" : "https") + "://" + forwardedHost
                : publicBaseUrl;
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
