package io.tollgate.kit.inbox;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.UUID;

/**
 * Platform administrators' view of a service's dead letters: list them, read one, replay one.
 * A service exposes it under its own admin prefix with a subclass that only names the path
 * ({@code @Path("/v1/admin/billing/dead-letters")}), so the gateway routes it like the rest of the
 * service's admin routes.
 */
@Produces(MediaType.APPLICATION_JSON)
@Authenticated // here, on the class that declares the methods: that is where the security check looks
public abstract class DeadLetterAdmin {

    private final DeadLetters deadLetters;
    private final EventConsumers consumers;
    private final CurrentPrincipal principal;

    protected DeadLetterAdmin(DeadLetters deadLetters, EventConsumers consumers, CurrentPrincipal principal) {
        this.deadLetters = deadLetters;
        this.consumers = consumers;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "Events this service's consumers gave up on, newest first, with their error; filter by consumer and replayed")
    public Uni<Page<DeadLetters.View>> list(@QueryParam("consumer") String consumer, @QueryParam("replayed") Boolean replayed,
                                            @Valid @BeanParam PageRequest page) {
        admin();
        return deadLetters.page(consumer, replayed, page);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One dead letter")
    public Uni<DeadLetters.View> one(@PathParam("id") UUID id) {
        admin();
        return deadLetters.one(id);
    }

    @POST
    @Path("/{id}/replay")
    @Operation(summary = "Apply the event again through its consumer, with its inbox record (at most once); "
            + "409 DEAD_LETTER_REPLAYED, 409 REPLAY_FAILED when it fails again")
    public Uni<EventConsumers.Replayed> replay(@PathParam("id") UUID id) {
        admin();
        return consumers.replay(id);
    }

    private void admin() {
        principal.get().requirePlatformAdmin();
    }
}
