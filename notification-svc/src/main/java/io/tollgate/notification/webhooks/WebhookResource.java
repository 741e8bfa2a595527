package io.tollgate.notification.webhooks;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The caller's outgoing webhook endpoints: a user's own, or (for tenant administrators) the
 * tenant's, which receive the events of every user of the tenant. Another owner's endpoint does
 * not exist for the caller (404). The rules are {@link WebhookService}'s; this class checks the
 * scope, calls it and maps the answer.
 */
@Path("/v1/webhooks")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks")
public class WebhookResource {

    public record CreateEndpoint(String url, List<String> events, String description, String scope) {
    }

    public record UpdateEndpoint(String url, List<String> events, String description, Boolean active) {
    }

    public record EndpointView(UUID id, String scope, String url, String description, List<String> events, boolean active,
                               String disabledReason, int consecutiveFailures, Instant failingSince, Instant lastAttemptAt,
                               Integer lastStatusCode, Instant previousSecretExpiresAt, Instant createdAt, Instant updatedAt) {
        static EndpointView of(WebhookEndpoint e) {
            return new EndpointView(e.id(), e.scope(), e.url(), e.description(), e.events(), e.active(), e.disabledReason(),
                    e.consecutiveFailures(), e.failingSince(), e.lastAttemptAt(), e.lastStatusCode(), e.previousSecretUntil(),
                    e.createdAt(), e.updatedAt());
        }
    }

    /** The create answer: the endpoint and its signing secret, which is never shown again. */
    public record CreatedEndpoint(UUID id, String scope, String url, String description, List<String> events, boolean active,
                                  String secret, Instant createdAt) {
    }

    public record TestRequest(String eventType) {
    }

    public record TestResult(boolean success, Integer statusCode, int responseTimeMs, String error, UUID deliveryId) {
    }

    public record RotateRequest(Long expirePreviousInSeconds) {
    }

    public record RotatedSecret(String secret, Instant previousSecretExpiresAt) {
    }

    /** The secret that signs requests' own webhooks (a render's {@code webhook_url}); {@code id} is its endpoint for deliveries. */
    public record DefaultSecret(UUID id, String key) {
    }

    public record DeliveryView(UUID id, String webhookId, String eventType, String status, int attempts, Instant nextAttemptAt,
                               Integer lastStatusCode, String lastError, Instant createdAt, Instant updatedAt) {
        static DeliveryView of(Delivery d) {
            return new DeliveryView(d.id(), DeliveryWorker.messageId(d.messageId()), d.eventType(), d.status(), d.attempts(),
                    d.nextAttemptAt(), d.lastStatusCode(), d.lastError(), d.createdAt(), d.updatedAt());
        }
    }

    public record AttemptView(int attempt, Integer statusCode, String responseBody, int durationMs, String error,
                              Instant attemptedAt) {
        static AttemptView of(Delivery.Attempt a) {
            return new AttemptView(a.attempt(), a.statusCode(), a.responseBody(), a.durationMs(), a.error(), a.attemptedAt());
        }
    }

    public record DeliveryDetail(DeliveryView delivery, String payload, List<AttemptView> attempts) {
    }

    private final CurrentPrincipal principal;
    private final WebhookService webhooks;

    public WebhookResource(CurrentPrincipal principal, WebhookService webhooks) {
        this.principal = principal;
        this.webhooks = webhooks;
    }

    @GET
    @Path("/event-types")
    @Operation(summary = "The events an endpoint can subscribe to")
    public Map<String, List<EventCatalogue.EventTypeView>> eventTypes() {
        caller("webhooks:read");
        return Map.of("data", EventCatalogue.all());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an endpoint; the answer carries its whsec_ signing secret, shown only this once")
    // The generated contract names an open schema for a Response; a Uni<Response> must say so itself to keep it.
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json", schema = @Schema()))
    public Uni<Response> create(CreateEndpoint body) {
        EndpointOwner owner = caller("webhooks:write");
        if (body == null) {
            throw ProblemException.validation("url", "is required");
        }
        return webhooks.create(owner, body.url(), body.events(), body.description(), body.scope()).map(created -> {
            WebhookEndpoint e = created.endpoint();
            return Response.status(201).header("Location", "/v1/webhooks/" + e.id())
                    .entity(new CreatedEndpoint(e.id(), e.scope(), e.url(), e.description(), e.events(), e.active(), created.secret(),
                            e.createdAt()))
                    .build();
        });
    }

    @GET
    @Operation(summary = "The caller's endpoints (and the tenant's, for tenant administrators), newest first")
    public Uni<Page<EndpointView>> list(@Valid @BeanParam PageRequest page) {
        return webhooks.list(caller("webhooks:read"), page).map(p -> p.map(EndpointView::of));
    }

    @GET
    @Path("/{id}")
    public Uni<EndpointView> get(@PathParam("id") UUID id) {
        return webhooks.get(caller("webhooks:read"), id).map(EndpointView::of);
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change url, events, description; active=true re-enables a disabled endpoint and clears its failure count")
    public Uni<EndpointView> update(@PathParam("id") UUID id, UpdateEndpoint body) {
        EndpointOwner owner = caller("webhooks:write");
        return webhooks.update(owner, id, body == null ? null : body.url(), body == null ? null : body.events(),
                body == null ? null : body.description(), body == null ? null : body.active(), body != null).map(EndpointView::of);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an endpoint with its delivery history")
    // The generated contract names an open schema for a Response; a Uni<Response> must say so itself to keep it.
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json", schema = @Schema()))
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return webhooks.delete(caller("webhooks:write"), id).map(done -> Response.noContent().build());
    }

    @POST
    @Path("/{id}/test")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a signed test event now and report how the endpoint answered; it is kept in the delivery history")
    public Uni<TestResult> test(@PathParam("id") UUID id, TestRequest body) {
        return webhooks.test(caller("webhooks:write"), id, body == null ? null : body.eventType())
                .map(t -> new TestResult(t.outcome().succeeded(), t.outcome().statusCode(), t.outcome().durationMs(),
                        t.outcome().error(), t.deliveryId()));
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "Delivery history, newest first; filter by status (pending, retrying, succeeded, failed) and event_type")
    public Uni<Page<DeliveryView>> deliveries(@PathParam("id") UUID id, @QueryParam("status") String status,
                                              @QueryParam("event_type") String eventType, @Valid @BeanParam PageRequest page) {
        return webhooks.deliveries(caller("webhooks:read"), id, status, eventType, page).map(p -> p.map(DeliveryView::of));
    }

    @GET
    @Path("/{id}/deliveries/{deliveryId}")
    @Operation(summary = "One delivery with the exact body sent and every attempt")
    public Uni<DeliveryDetail> delivery(@PathParam("id") UUID id, @PathParam("deliveryId") UUID deliveryId) {
        return webhooks.delivery(caller("webhooks:read"), id, deliveryId).map(d -> new DeliveryDetail(DeliveryView.of(d.delivery()),
                d.payload(), d.attempts().stream().map(AttemptView::of).toList()));
    }

    @POST
    @Path("/{id}/deliveries/{deliveryId}/redeliver")
    @Operation(summary = "Queue the same message (same webhook-id and body) to this endpoint again")
    // The generated contract names an open schema for a Response; a Uni<Response> must say so itself to keep it.
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json", schema = @Schema()))
    public Uni<Response> redeliver(@PathParam("id") UUID id, @PathParam("deliveryId") UUID deliveryId) {
        return webhooks.redeliver(caller("webhooks:write"), id, deliveryId)
                .map(created -> Response.accepted(DeliveryView.of(created)).build());
    }

    @GET
    @Path("/default/secret")
    @Operation(summary = "The whsec_ secret that signs the webhooks of requests naming their own webhook_url (created on first use);"
            + " rotate it and read its deliveries through its id like any endpoint")
    public Uni<DefaultSecret> defaultSecret() {
        return webhooks.requestSigner(caller("webhooks:write")).map(s -> new DefaultSecret(s.id(), s.secret()));
    }

    @POST
    @Path("/{id}/rotate-secret")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A new signing secret; the previous one keeps signing too (two signatures) until it expires (default 24 h)")
    public Uni<RotatedSecret> rotate(@PathParam("id") UUID id, RotateRequest body) {
        return webhooks.rotate(caller("webhooks:write"), id, body == null ? null : body.expirePreviousInSeconds())
                .map(r -> new RotatedSecret(r.secret(), r.previousSecretExpiresAt()));
    }

    private EndpointOwner caller(String scope) {
        Principal caller = principal.get();
        caller.requireScope(scope);
        return EndpointOwner.of(caller);
    }
}
