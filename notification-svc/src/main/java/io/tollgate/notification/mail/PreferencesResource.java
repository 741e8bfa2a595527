package io.tollgate.notification.mail;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

/** The caller's mail preferences. Security and account mail are transactional and always sent. */
@Path("/v1/email-preferences")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Email preferences")
public class PreferencesResource {

    private final CurrentPrincipal principal;
    private final Preferences preferences;

    public PreferencesResource(CurrentPrincipal principal, Preferences preferences) {
        this.principal = principal;
        this.preferences = preferences;
    }

    @GET
    @Operation(summary = "Which optional categories are mailed, and whether everything optional is off")
    public Uni<Preferences.View> get() {
        Principal caller = principal.get();
        caller.requireScope("account:read");
        return preferences.get(caller.userUuid());
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Switch categories on or off, e.g. {\"billing\": false, \"marketing\": false}")
    public Uni<Preferences.View> update(Map<String, Object> changes) {
        Principal caller = principal.jwt();
        if (changes == null || changes.isEmpty()) {
            throw ProblemException.validation("billing", "name at least one category to change");
        }
        return preferences.update(caller.userUuid(), caller.tenantId(), changes, null);
    }

    @POST
    @Path("/unsubscribe-all")
    @Operation(summary = "Stop every optional mail (transactional mail still arrives)")
    public Uni<Preferences.View> unsubscribeAll() {
        Principal caller = principal.jwt();
        return preferences.update(caller.userUuid(), caller.tenantId(), Map.of(), true);
    }

    @POST
    @Path("/resubscribe")
    @Operation(summary = "Undo unsubscribe-all; categories switched off one by one stay off")
    public Uni<Preferences.View> resubscribe() {
        Principal caller = principal.jwt();
        return preferences.update(caller.userUuid(), caller.tenantId(), Map.of(), false);
    }
}
