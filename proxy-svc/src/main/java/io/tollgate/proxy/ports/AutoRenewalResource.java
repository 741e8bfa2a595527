package io.tollgate.proxy.ports;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A port's auto-renewal: {@code GET} shows the settings with the next attempt and how renewals
 * went; {@code PATCH} changes the fields given. A field this resource does not know is 400, so a
 * misspelt setting is never silently ignored. Another owner's port is 404.
 */
@Path("/v1/ports/{id}/auto-renewal")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Ports")
public class AutoRenewalResource {

    public record AutoRenewalChange(Boolean enabled, @Pattern(regexp = "^(balance|stripe)$", message = "must be balance or stripe") String source,
                                    @Min(1) @Max(365) Integer renewalDays) {
    }

    public record AutoRenewalView(boolean enabled, String source, int renewalDays, Instant expiresAt, Instant nextRenewalAt,
                                  int failedAttempts, int maxAttempts, String lastFailureReason, Instant lastFailedAt,
                                  int totalAutoRenewals, Instant lastRenewedAt) {
        static AutoRenewalView of(AutoRenewals.State s) {
            return new AutoRenewalView(s.enabled(), s.source(), s.renewalDays(), s.expiresAt(), s.nextRenewalAt(), s.failedAttempts(),
                    s.maxAttempts(), s.lastFailureReason(), s.lastFailedAt(), s.totalAutoRenewals(), s.lastRenewedAt());
        }
    }

    private final AutoRenewals renewals;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;
    private final Validator validator;
    private final ObjectReader strict;

    public AutoRenewalResource(AutoRenewals renewals, CurrentPrincipal principal, Idempotency idempotency, Validator validator,
                               ObjectMapper json) {
        this.renewals = renewals;
        this.principal = principal;
        this.idempotency = idempotency;
        this.validator = validator;
        this.strict = json.readerFor(AutoRenewalChange.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @GET
    @Operation(summary = "The port's auto-renewal: enabled, source, renewal_days, next_renewal_at, failed_attempts, last_failure_reason,"
            + " total_auto_renewals")
    public Uni<AutoRenewalView> get(@PathParam("id") String id) {
        return renewals.get(caller("proxy:read").owner(), PortResource.id(id)).map(AutoRenewalView::of);
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Turn auto-renewal on or off, set renewal_days (1 to 365, 30 by default) and the source (balance; stripe is"
            + " 422 RENEWAL_SOURCE_UNAVAILABLE): the balance is charged renewal_days of the port's slot shortly before its end")
    @RequestBody(required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = AutoRenewalChange.class)))
    @APIResponse(responseCode = "200", description = "Changed", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = AutoRenewalView.class)))
    public Uni<Response> change(@PathParam("id") String id, JsonNode body, @HeaderParam(Idempotency.HEADER) String key)
            throws JsonProcessingException {
        Principal caller = caller("proxy:write");
        UUID port = PortResource.id(id);
        AutoRenewalChange change = read(body);
        return idempotency.execute("user:" + caller.userId(), key, "PATCH", "/v1/ports/" + port + "/auto-renewal", change,
                tx -> renewals.change(tx, caller.owner(), port, new AutoRenewals.Change(change.enabled(), change.source(), change.renewalDays()))
                        .map(state -> Response.ok(AutoRenewalView.of(state)).build()));
    }

    /** The body as settings; an unknown field, a wrong type or a value out of range is 400 with the field's path. */
    private AutoRenewalChange read(JsonNode body) throws JsonProcessingException {
        if (body == null || !body.isObject()) {
            throw ProblemException.validation("body", "must be a JSON object of auto-renewal settings");
        }
        AutoRenewalChange change;
        try {
            change = strict.treeToValue(body, AutoRenewalChange.class);
        } catch (UnrecognizedPropertyException e) {
            throw ProblemException.validation(e.getPropertyName(), "is not an auto-renewal setting (enabled, source, renewal_days)");
        }
        Set<ConstraintViolation<AutoRenewalChange>> violations = validator.validate(change);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        return change;
    }

    private Principal caller(String scope) {
        Principal caller = principal.get();
        caller.requireScope(scope);
        return caller;
    }
}
