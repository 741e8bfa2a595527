package io.tollgate.identity.users;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

@Path("/v1/auth/verify")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Authentication")
public class VerificationResource {

    /** Either the link's {@code token}, or {@code email} with the 6-digit {@code code}. */
    public record VerifyEmail(@Size(max = 100) String token, @Size(max = 63) String tenantSlug,
                              @Email @Size(max = 254) String email, @Pattern(regexp = "^[0-9]{6}$", message = "must be 6 digits") String code) {
    }

    public record Resend(@Size(max = 63) String tenantSlug, @NotBlank @Email @Size(max = 254) String email) {
    }

    private final AccountRecoveryService recovery;

    public VerificationResource(AccountRecoveryService recovery) {
        this.recovery = recovery;
    }

    @POST
    @Path("/email")
    @Operation(summary = "Confirm the e-mail address with the link token or the 6-digit code")
    public Uni<Map<String, Object>> verify(@Valid @NotNull VerifyEmail body) {
        Uni<User> verified;
        if (body.token() != null && !body.token().isBlank()) {
            verified = recovery.verifyByToken(body.token());
        } else if (body.email() != null && body.code() != null) {
            verified = recovery.verifyByCode(body.tenantSlug(), body.email(), body.code());
        } else {
            throw ProblemException.validation("token", "give the token, or the email and the code");
        }
        return verified.map(user -> Map.of("user_id", user.id(), "email_verified", true));
    }

    @POST
    @Path("/resend")
    @Operation(summary = "Send the verification mail again (at most once a minute); always 202")
    public Uni<Response> resend(@Valid @NotNull Resend body) {
        recovery.inBackground("verification resend", () -> recovery.resendVerification(body.tenantSlug(), body.email()));
        return Uni.createFrom().item(Response.accepted().build());
    }
}
