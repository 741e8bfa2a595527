package io.tollgate.proxy.pool;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's pool credentials, shown again on every read (they are sealed at rest, not hashed). */
@Path("/v1/proxy/pool/credentials")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proxy pool")
public class PoolResource {

    public record PasswordBody(@NotNull @Size(min = 6, max = 64) @Pattern(regexp = "^[\\x21-\\x7e]+$") String password) {
    }

    public record CredentialsView(String username, String password) {
    }

    private final PoolCredentials credentials;
    private final CurrentPrincipal principal;

    public PoolResource(PoolCredentials credentials, CurrentPrincipal principal) {
        this.credentials = credentials;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's pool login and password (made on first read)")
    public Uni<CredentialsView> get() {
        Principal caller = principal.get();
        caller.requireScope("proxy:read");
        return credentials.get(caller.owner()).map(PoolResource::view);
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A new pool password (6 to 64 printable characters, as the seed allows)")
    public Uni<CredentialsView> change(@Valid @NotNull PasswordBody body) {
        Principal caller = principal.get();
        caller.requireScope("proxy:write");
        return credentials.change(caller.owner(), body.password()).map(PoolResource::view);
    }

    private static CredentialsView view(PoolCredentials.Credentials c) {
        return new CredentialsView(c.username(), c.password());
    }
}
