package io.tollgate.kit.probe;

import io.quarkus.security.Authenticated;
import io.tollgate.kit.inbox.DeadLetterAdmin;
import io.tollgate.kit.inbox.DeadLetters;
import io.tollgate.kit.inbox.EventConsumers;
import io.tollgate.kit.security.CurrentPrincipal;
import jakarta.ws.rs.Path;

/** The kit's dead-letter admin as a service mounts it, under the probe's admin prefix. */
@Path("/probe/admin/dead-letters")
@Authenticated
public class ProbeDeadLetterResource extends DeadLetterAdmin {

    public ProbeDeadLetterResource(DeadLetters deadLetters, EventConsumers consumers, CurrentPrincipal principal) {
        super(deadLetters, consumers, principal);
    }
}
