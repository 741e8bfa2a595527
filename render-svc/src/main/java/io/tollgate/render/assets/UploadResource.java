package io.tollgate.render.assets;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.util.UUID;

/** A signed-in user's own file, to name in a model's input. Session only, as the seed has it. */
@Path("/v1/me/uploads")
@Authenticated
@Tag(name = "Assets")
public class UploadResource {

    /** The kept file: its id, a signed link, its type and size. */
    public record Uploaded(UUID assetId, String url, String contentType, long sizeBytes, Integer width, Integer height) {
    }

    private final Uploads uploads;
    private final AssetLinks links;
    private final CurrentPrincipal principal;

    public UploadResource(Uploads uploads, AssetLinks links, CurrentPrincipal principal) {
        this.uploads = uploads;
        this.links = links;
        this.principal = principal;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a file (multipart field file): images, video and audio of the listed types;"
            + " 413 over the size cap, 415 for another type or bytes that are not of the type")
    @APIResponse(responseCode = "201", description = "Kept", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Uploaded.class)))
    public Uni<Response> upload(@RestForm("file") FileUpload file) {
        Principal caller = principal.get();
        caller.requireJwt();
        if (file == null || file.uploadedFile() == null) {
            throw ProblemException.validation("file", "is required (multipart/form-data, field file)");
        }
        return uploads.upload(caller.owner(), file.uploadedFile(), file.contentType(), file.size())
                .map(asset -> Response.status(201).entity(new Uploaded(asset.id(), links.url(asset.id()), asset.contentType(),
                        asset.sizeBytes(), asset.width(), asset.height())).build());
    }
}
