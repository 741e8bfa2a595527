package io.tollgate.render.admin;

import io.quarkus.security.Authenticated;
import io.tollgate.kit.inbox.DeadLetterAdmin;
import io.tollgate.kit.inbox.DeadLetters;
import io.tollgate.kit.inbox.EventConsumers;
import io.tollgate.kit.security.CurrentPrincipal;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The kit's dead letters of this service's consumers, under the service's admin prefix (platform admins). */
@Path("/v1/admin/render/dead-letters")
@Authenticated
@Tag(name = "Dead letters")
public class DeadLetterResource extends DeadLetterAdmin {

    public DeadLetterResource(DeadLetters deadLetters, EventConsumers consumers, CurrentPrincipal principal) {
        super(deadLetters, consumers, principal);
    }
}
