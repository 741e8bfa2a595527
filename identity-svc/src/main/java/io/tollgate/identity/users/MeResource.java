package io.tollgate.identity.users;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.UUID;

@Path("/v1/me")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Profile")
public class MeResource {

    public record Auth(String source, UUID apiKeyId, UUID sessionId) {
    }

    public record Me(UUID id, UUID tenantId, String email, String fullName, String role, boolean emailVerified,
                     boolean mfaEnabled, String locale, Instant createdAt, Auth auth) {
    }

    public record ProfilePatch(@Size(min = 1, max = 200) String fullName, @Size(min = 2, max = 35) String locale) {
    }

    private final CurrentPrincipal principal;
    private final ProfileService profiles;

    public MeResource(CurrentPrincipal principal, ProfileService profiles) {
        this.principal = principal;
        this.profiles = profiles;
    }

    @GET
    @Operation(summary = "Who is calling: the profile, and how the call was authenticated")
    public Uni<Me> me() {
        Principal caller = principal.get();
        caller.requireScope("account:read");
        return profiles.get(caller.owner()).map(user -> view(user, caller));
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change the profile (JWT only)")
    public Uni<Me> update(@Valid ProfilePatch patch) {
        Principal caller = principal.jwt();
        if (patch == null) {
            throw ProblemException.validation("", "a JSON body is required");
        }
        return profiles.update(caller.owner(), patch.fullName(), patch.locale()).map(user -> view(user, caller));
    }

    private static Me view(User user, Principal caller) {
        return new Me(user.id(), user.tenantId(), user.email(), user.fullName(), user.role(), user.emailVerified(), user.mfaEnabled(),
                user.locale(), user.createdAt(), new Auth(caller.source().wire(), caller.apiKeyId(), caller.sessionId()));
    }
}
