package io.tollgate.notification.mail;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;
import java.util.UUID;

/**
 * The links in our mail: no session, the token names the user. {@code POST /all} is the RFC 8058
 * one-click target of {@code List-Unsubscribe}: a mail client posts
 * {@code List-Unsubscribe=One-Click} to it, and any body is accepted. A token that is not ours is 404.
 */
@Path("/v1/unsubscribe")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Email preferences")
public class UnsubscribeResource {

    private final UnsubscribeTokens tokens;
    private final Preferences preferences;

    public UnsubscribeResource(UnsubscribeTokens tokens, Preferences preferences) {
        this.tokens = tokens;
        this.preferences = preferences;
    }

    @GET
    @Operation(summary = "The preferences of the user the token names")
    public Uni<Preferences.View> get(@QueryParam("token") String token) {
        return owner(token).chain(o -> preferences.get(o.user()));
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Switch categories on or off for the user the token names")
    public Uni<Preferences.View> update(@QueryParam("token") String token, Map<String, Object> changes) {
        if (changes == null || changes.isEmpty()) {
            throw ProblemException.validation("billing", "name at least one category to change");
        }
        Preferences.parse(changes);
        return owner(token).chain(o -> preferences.update(o.user(), o.tenant(), changes, null));
    }

    @POST
    @Path("/all")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "One-click unsubscribe from every optional mail (RFC 8058)")
    public Uni<Preferences.View> all(@QueryParam("token") String token) {
        return owner(token).chain(o -> preferences.update(o.user(), o.tenant(), Map.of(), true));
    }

    @POST
    @Path("/resubscribe")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Undo the unsubscribe")
    public Uni<Preferences.View> resubscribe(@QueryParam("token") String token) {
        return owner(token).chain(o -> preferences.update(o.user(), o.tenant(), Map.of(), false));
    }

    private record Owner(UUID user, UUID tenant) {
    }

    private Uni<Owner> owner(String token) {
        UUID user = tokens.verify(token).orElseThrow(() -> ProblemException.notFound("unsubscribe token"));
        return preferences.tenantOf(user).map(tenant -> {
            if (tenant == null) {
                throw ProblemException.notFound("unsubscribe token");
            }
            return new Owner(user, tenant);
        });
    }
}
