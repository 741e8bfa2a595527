package io.tollgate.render.assets;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.concurrent.Offload;
import io.tollgate.kit.problem.ProblemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file behind its signed link: public (the signature is the permission), with its type, length,
 * a strong ETag and single byte ranges. A bad, expired or unknown link is 403 and says nothing more.
 */
@Path("/v1/assets")
@Tag(name = "Assets")
public class AssetResource {

    private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");

    private final AssetRepository assets;
    private final AssetStore store;
    private final AssetLinks links;
    private final Clock clock;

    public AssetResource(AssetRepository assets, AssetStore store, AssetLinks links, Clock clock) {
        this.assets = assets;
        this.store = store;
        this.links = links;
        this.clock = clock;
    }

    @GET
    @Path("/{assetId}")
    @Operation(summary = "The file behind a signed link (expires, signature); ranges and ETag supported")
    public Uni<Response> get(@PathParam("assetId") String assetId, @QueryParam("expires") String expires,
                             @QueryParam("signature") String signature, @HeaderParam("Range") String range,
                             @HeaderParam("If-None-Match") String ifNoneMatch) {
        UUID id;
        long until;
        try {
            id = UUID.fromString(assetId);
            until = Long.parseLong(expires == null ? "" : expires);
        } catch (IllegalArgumentException e) {
            throw refused();
        }
        if (!links.valid(id, until, signature)) {
            throw refused();
        }
        return assets.live(id, clock.instant()).chain(found -> {
            Asset asset = found.orElseThrow(AssetResource::refused);
            String etag = "\"" + asset.sha256() + "\"";
            if (etag.equals(ifNoneMatch)) {
                return Uni.createFrom().item(Response.notModified().tag(asset.sha256()).build());
            }
            return Offload.compute(() -> read(asset, range, etag));
        });
    }

    private Response read(Asset asset, String range, String etag) {
        long size = asset.sizeBytes();
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                return unsatisfiable(size);
            }
            if (m.group(1).isEmpty()) {
                start = Math.max(0, size - Long.parseLong(m.group(2)));
            } else {
                start = Long.parseLong(m.group(1));
                end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
            }
            if (start > end || start >= size) {
                return unsatisfiable(size);
            }
            partial = true;
        }
        byte[] bytes = store.read(asset.storageKey(), start, end);
        Response.ResponseBuilder answer = Response.status(partial ? 206 : 200).entity(bytes)
                .type(asset.contentType())
                .header("Content-Length", bytes.length)
                .header("ETag", etag)
                .header("Accept-Ranges", "bytes")
                .header("Cache-Control", "private, max-age=3600");
        if (partial) {
            answer.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        return answer.build();
    }

    private static Response unsatisfiable(long size) {
        return Response.status(416).header("Content-Range", "bytes */" + size).build();
    }

    private static ProblemException refused() {
        return ProblemException.forbidden("INVALID_ASSET_LINK", "This link is not valid (wrong, expired or for nothing we keep).");
    }
}
