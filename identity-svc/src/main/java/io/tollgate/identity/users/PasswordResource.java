package io.tollgate.identity.users;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/auth/password")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Authentication")
public class PasswordResource {

    public record ResetRequest(@Size(max = 63) String tenantSlug, @NotBlank @Email @Size(max = 254) String email) {
    }

    public record ResetConfirm(@NotBlank @Size(max = 100) String token, @NotNull String newPassword) {
    }

    public record Change(@NotBlank @Size(max = 128) String currentPassword, @NotNull String newPassword) {
    }

    private final AccountRecoveryService recovery;
    private final CurrentPrincipal principal;

    public PasswordResource(AccountRecoveryService recovery, CurrentPrincipal principal) {
        this.recovery = recovery;
        this.principal = principal;
    }

    @POST
    @Path("/reset/request")
    @Operation(summary = "Mail a reset link if the account exists; always 202")
    public Uni<Response> request(@Valid @NotNull ResetRequest body) {
        recovery.inBackground("password reset request", () -> recovery.requestReset(body.tenantSlug(), body.email()));
        return Uni.createFrom().item(Response.accepted().build());
    }

    @POST
    @Path("/reset/confirm")
    @Operation(summary = "Set a new password with the reset token (single use, one hour); all sessions end")
    public Uni<Response> confirm(@Valid @NotNull ResetConfirm body) {
        return recovery.confirmReset(body.token(), body.newPassword()).replaceWith(Response.noContent().build());
    }

    @POST
    @Path("/change")
    @Authenticated
    @Operation(summary = "Change the password; the other sessions end")
    public Uni<Response> change(@Valid @NotNull Change body) {
        Principal caller = principal.jwt();
        return recovery.changePassword(caller.owner(), caller.sessionId(), body.currentPassword(), body.newPassword())
                .replaceWith(Response.noContent().build());
    }
}
