package io.tollgate.proxy.rotation;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The public rotation link: the token is the credential, so no caller is needed. 10 calls a minute
 * per link (429), then the port's own cooldown: 60 s for a private port (airplane mode), 5 min for
 * a pool port (device switch). An unknown, replaced or expired link is 404.
 */
@Path("/v1/rotate")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rotation")
public class PublicRotationResource {

    public record LinkRotation(boolean success, String message, String rotationType, String portName, long cooldownSeconds,
                               String newIp) {
    }

    private final RotationService rotations;

    public PublicRotationResource(RotationService rotations) {
        this.rotations = rotations;
    }

    @GET
    @Path("/{token}")
    @Operation(summary = "Rotate the port this link belongs to")
    public Uni<LinkRotation> rotate(@PathParam("token") String token) {
        return rotations.rotateByToken(token).map(link -> new LinkRotation(true, "Rotated: the port's address is now "
                + link.rotated().newIp() + ".", link.rotated().rotationType(), link.rotated().portName(), link.cooldownSeconds(),
                link.rotated().newIp()));
    }
}
