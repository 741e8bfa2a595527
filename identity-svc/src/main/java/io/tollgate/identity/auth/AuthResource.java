package io.tollgate.identity.auth;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.users.RegistrationService;
import io.tollgate.kit.net.ClientAddress;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.tollgate.kit.web.NoStore;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.UUID;

@NoStore
@Path("/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Authentication")
public class AuthResource {

    public record RegisterRequest(@Size(max = 63) String tenantSlug,
                                  @NotBlank @Email @Size(max = 254) String email,
                                  @NotNull String password,
                                  @NotBlank @Size(max = 200) String fullName,
                                  @Size(min = 2, max = 35) String locale,
                                  @NotNull @AssertTrue(message = "the terms must be accepted") Boolean acceptTerms) {
    }

    public record Registered(UUID userId, boolean verificationRequired) {
    }

    public record LoginRequest(@Size(max = 63) String tenantSlug,
                               @NotBlank @Size(max = 254) String email,
                               @NotBlank @Size(max = 128) String password,
                               @Size(max = 100) String deviceName) {
    }

    public record RefreshRequest(@NotBlank @Size(max = 200) String refreshToken) {
    }

    public record UserView(UUID id, UUID tenantId, String email, String fullName, String role, boolean emailVerified) {
    }

    public record AuthTokens(String accessToken, String refreshToken, String tokenType, long expiresIn, UserView user) {
        public static AuthTokens of(SessionService.Tokens tokens) {
            var u = tokens.user();
            return new AuthTokens(tokens.accessToken(), tokens.refreshToken(), "Bearer", tokens.expiresIn(),
                    new UserView(u.id(), u.tenantId(), u.email(), u.fullName(), u.role(), u.emailVerified()));
        }
    }

    public record LoginEntry(Long id, boolean success, String errorCode, String ipAddress, String userAgent,
                             Instant timestamp) {
    }

    private final RegistrationService registration;
    private final LoginService logins;
    private final SessionService sessions;
    private final CurrentPrincipal principal;
    private final ClientAddress addresses;

    public AuthResource(RegistrationService registration, LoginService logins, SessionService sessions,
                        CurrentPrincipal principal, ClientAddress addresses) {
        this.addresses = addresses;
        this.registration = registration;
        this.logins = logins;
        this.sessions = sessions;
        this.principal = principal;
    }

    @POST
    @Path("/register")
    @Operation(summary = "Create an account; a verification e-mail follows")
    public Uni<Response> register(@Valid @NotNull RegisterRequest body) {
        return registration.register(body.tenantSlug(), body.email(), body.password(), body.fullName(), body.locale())
                .map(r -> Response.status(201).entity(new Registered(r.userId(), r.verificationRequired())).build());
    }

    @POST
    @Path("/login")
    @Operation(summary = "Sign in with e-mail and password")
    public Uni<AuthTokens> login(@Valid @NotNull LoginRequest body, @Context HttpServerRequest request) {
        return logins.login(body.tenantSlug(), body.email(), body.password(), body.deviceName(), ClientInfo.of(addresses, request))
                .map(AuthTokens::of);
    }

    @POST
    @Path("/refresh")
    @Operation(summary = "Trade a refresh token for a new pair; the old refresh token is spent")
    public Uni<AuthTokens> refresh(@Valid @NotNull RefreshRequest body) {
        return sessions.refresh(body.refreshToken()).map(AuthTokens::of);
    }

    @POST
    @Path("/logout")
    @Consumes(MediaType.WILDCARD)
    @Authenticated
    @Operation(summary = "End the current session")
    public Uni<Response> logout() {
        Principal caller = principal.jwt();
        if (caller.sessionId() == null) {
            throw ProblemException.badRequest("NO_SESSION", "This token has no session.");
        }
        return sessions.logout(caller.owner(), caller.sessionId()).replaceWith(Response.noContent().build());
    }

    @GET
    @Path("/login-history")
    @Authenticated
    @Operation(summary = "The caller's sign-in attempts, newest first")
    public Uni<Page<LoginEntry>> history(@Valid @BeanParam PageRequest page, @QueryParam("success") Boolean success) {
        return logins.history(principal.jwt().owner(), success, page).map(p -> p.map(r -> new LoginEntry(r.id(), r.success(),
                r.errorCode(), r.ipAddress(), r.userAgent(), r.createdAt())));
    }
}
