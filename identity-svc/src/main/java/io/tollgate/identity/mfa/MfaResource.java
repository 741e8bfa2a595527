package io.tollgate.identity.mfa;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.identity.auth.AuthResource;
import io.tollgate.identity.auth.ClientInfo;
import io.tollgate.kit.net.ClientAddress;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.tollgate.kit.web.NoStore;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;
import java.util.UUID;

@NoStore
@Path("/v1/auth/mfa")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "MFA")
public class MfaResource {

    public record SetupRequest(@Size(max = 20) String factorType, @Size(max = 100) String label) {
    }

    public record SetupView(UUID factorId, String secret, String qrCodeUrl, List<String> recoveryCodes) {
    }

    public record VerifyRequest(@NotNull UUID factorId, @NotBlank @Size(max = 20) String code) {
    }

    public record ChallengeRequest(@NotBlank @Size(max = 200) String mfaToken, @NotBlank @Size(max = 20) String code) {
    }

    public record DisableRequest(@NotBlank @Size(max = 20) String code) {
    }

    private final MfaService mfa;
    private final CurrentPrincipal principal;
    private final ClientAddress addresses;

    public MfaResource(MfaService mfa, CurrentPrincipal principal, ClientAddress addresses) {
        this.mfa = mfa;
        this.addresses = addresses;
        this.principal = principal;
    }

    @POST
    @Path("/setup")
    @Authenticated
    @Operation(summary = "Start TOTP enrolment: secret, otpauth URI and ten recovery codes, shown once")
    public Uni<SetupView> setup(@Valid SetupRequest body) {
        Principal caller = principal.jwt();
        if (body != null && body.factorType() != null && !"TOTP".equals(body.factorType())) {
            throw ProblemException.validation("factor_type", "only TOTP is supported");
        }
        return mfa.setup(caller.owner(), body == null ? null : body.label())
                .map(s -> new SetupView(s.factorId(), s.secret(), s.qrCodeUrl(), s.recoveryCodes()));
    }

    @POST
    @Path("/verify")
    @Authenticated
    @Operation(summary = "Confirm enrolment with a current code; sign-ins need a code from now on")
    public Uni<Map<String, Boolean>> verify(@Valid @NotNull VerifyRequest body) {
        return mfa.confirm(principal.jwt().owner(), body.factorId(), body.code()).replaceWith(Map.of("mfa_enabled", true));
    }

    @POST
    @Path("/challenge")
    @Operation(summary = "Finish a sign-in that answered MFA_REQUIRED, with a TOTP or recovery code")
    public Uni<AuthResource.AuthTokens> challenge(@Valid @NotNull ChallengeRequest body, @Context HttpServerRequest request) {
        return mfa.complete(body.mfaToken(), body.code(), ClientInfo.of(addresses, request)).map(AuthResource.AuthTokens::of);
    }

    @POST
    @Path("/disable")
    @Authenticated
    @Operation(summary = "Turn the second factor off with a current TOTP or recovery code")
    public Uni<Response> disable(@Valid @NotNull DisableRequest body) {
        return mfa.disable(principal.jwt().owner(), body.code()).replaceWith(Response.noContent().build());
    }

}
