package io.tollgate.billing.holds;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.AuthSource;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.UUID;

/** Holds for our own services (service tokens only; never routed by the gateway). */
@Path("/internal/holds")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Holds (internal)")
public class HoldResource {

    public record NewHoldBody(@NotNull UUID userId, @NotNull UUID tenantId, @NotNull @Positive Long amountMinor,
                              @Pattern(regexp = "^[A-Z]{3}$") String currency, @Size(max = 200) String reference,
                              @Size(max = 500) String description, UUID apiKeyId,
                              @Min(1) @Max(86_400) Integer ttlSeconds, @Size(max = 100) String modelId) {
    }

    public record CaptureBody(Long amountMinor) {
    }

    private static final String[] HOLDERS = {"render", "proxy"};

    private final Holds holds;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public HoldResource(Holds holds, CurrentPrincipal principal, Idempotency idempotency) {
        this.holds = holds;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Reserve money for a piece of work, or 402 INSUFFICIENT_BALANCE with required and available")
    public Uni<Response> place(@Valid @NotNull NewHoldBody body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = service();
        // The hold row is the idempotency record (its key and the request's fingerprint), so a hold
        // is placed in one statement; a retry answers 201 with the hold as first placed.
        String fingerprint = null;
        if (key != null) {
            Idempotency.checkKey(key);
            fingerprint = idempotency.fingerprint("POST", "/internal/holds", body);
        }
        return holds.place(new Holds.NewHold(body.userId(), body.tenantId(), body.amountMinor(), body.currency(),
                        caller.userId(), body.reference(), body.description(), body.apiKeyId(),
                        Duration.ofSeconds(body.ttlSeconds() == null ? 900 : body.ttlSeconds()), body.modelId(), key,
                        fingerprint))
                .map(placed -> {
                    Response.ResponseBuilder response = Response.status(201).entity(placed.hold());
                    if (placed.replayed()) {
                        response.header(Idempotency.REPLAYED, "true");
                    }
                    return response.build();
                });
    }

    @GET
    @Path("/{id}")
    public Uni<Holds.Hold> get(@PathParam("id") UUID id) {
        return holds.find(id, service().userId());
    }

    @POST
    @Path("/{id}/capture")
    @Operation(summary = "Capture all of the hold or part of it (amount_minor); the rest is released")
    public Uni<Holds.Hold> capture(@PathParam("id") UUID id, CaptureBody body) {
        return holds.capture(id, body == null ? null : body.amountMinor(), service().userId());
    }

    @POST
    @Path("/{id}/void")
    @Operation(summary = "Release the whole hold")
    public Uni<Holds.Hold> voidHold(@PathParam("id") UUID id) {
        return holds.voidHold(id, service().userId());
    }

    /** Render and proxy pay for work with holds; no other caller, service or not, may move them. */
    private Principal service() {
        Principal caller = principal.get();
        caller.requireService(HOLDERS);
        return caller;
    }
}
