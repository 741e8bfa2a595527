package io.tollgate.render.callbacks;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.render.providers.Provider;
import io.tollgate.render.providers.ProviderRepository;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/**
 * Where a remote provider says that a request of ours ended ({@code fal_webhook}). Nothing in the
 * body is trusted: the signature must verify under the provider's published keys (401
 * {@code INVALID_SIGNATURE} otherwise, and nothing changes), and even then the callback only marks
 * the job and wakes its worker, which asks the provider for the status and the result itself.
 */
@Path("/v1/render/callbacks")
@PermitAll
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Render providers")
public class CallbackResource {

    /** The acknowledgement: the job the request belongs to, and its state when the callback arrived. */
    public record Received(boolean ok, UUID requestId, String status) {
    }

    private final ProviderRepository providers;
    private final CallbackKeys keys;
    private final CallbackRepository callbacks;

    public CallbackResource(ProviderRepository providers, CallbackKeys keys, CallbackRepository callbacks) {
        this.providers = providers;
        this.keys = keys;
        this.callbacks = callbacks;
    }

    @POST
    @Path("/{provider}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "A provider's signed completion callback (fal-style headers X-Fal-Webhook-Request-Id, -User-Id, -Timestamp,"
            + " -Signature over the raw body); 401 INVALID_SIGNATURE, 404 for an unknown provider or request")
    public Uni<Received> callback(@PathParam("provider") String name,
                                  @HeaderParam("X-Fal-Webhook-Request-Id") String requestId,
                                  @HeaderParam("X-Fal-Webhook-User-Id") String userId,
                                  @HeaderParam("X-Fal-Webhook-Timestamp") String timestamp,
                                  @HeaderParam("X-Fal-Webhook-Signature") String signature,
                                  byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        return providers.named(name).map(found -> found
                        .filter(p -> p.enabled() && Provider.FAL.equals(p.type()) && p.callbackJwksUrl() != null)
                        .orElseThrow(() -> ProblemException.notFound("provider")))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(p -> {
                    try {
                        keys.verify(p.callbackJwksUrl(), requestId, userId, timestamp, signature, raw);
                    } catch (CallbackKeys.Refused e) {
                        throw ProblemException.unauthorized("INVALID_SIGNATURE", "The callback is not signed by provider " + name
                                + ": " + e.getMessage() + ".");
                    }
                    return p;
                })
                .chain(p -> callbacks.mark(p.name(), requestId))
                .map(marked -> marked.map(m -> new Received(true, m.jobId(), m.status()))
                        .orElseThrow(() -> ProblemException.notFound("request")));
    }
}
