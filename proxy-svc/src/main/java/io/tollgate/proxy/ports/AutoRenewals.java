package io.tollgate.proxy.ports;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A port's auto-renewal settings: whether it renews itself, for how many days each time (1 to
 * 365, 30 by default) and from what. Only the balance pays for now: a card charge settles through
 * the provider's webhook, later, so it cannot say at once whether the port is kept (422
 * {@code RENEWAL_SOURCE_UNAVAILABLE}); auto top-up keeps the balance filled from the saved card.
 * A renewal is due {@code lead} before the port's end; a refused attempt is tried again
 * {@code retry-after} later, at most {@code max-attempts} times, then the port ends as usual.
 */
@ApplicationScoped
public class AutoRenewals {

    public static final String BALANCE = "balance";
    public static final String STRIPE = "stripe";

    /** The settings and their state, as the API shows them. */
    public record State(boolean enabled, String source, int renewalDays, Instant expiresAt, Instant nextRenewalAt, int failedAttempts,
                        int maxAttempts, String lastFailureReason, Instant lastFailedAt, int totalAutoRenewals, Instant lastRenewedAt) {
    }

    /** A PATCH: only the fields given change. */
    public record Change(Boolean enabled, String source, Integer renewalDays) {
    }

    private final PortRepository ports;
    private final RenewalRepository renewals;
    private final Duration lead;
    private final Duration retryAfter;
    private final int maxAttempts;

    public AutoRenewals(PortRepository ports, RenewalRepository renewals,
                        @ConfigProperty(name = "tollgate.proxy.renewal.lead", defaultValue = "PT1H") Duration lead,
                        @ConfigProperty(name = "tollgate.proxy.renewal.retry-after", defaultValue = "PT15M") Duration retryAfter,
                        @ConfigProperty(name = "tollgate.proxy.renewal.max-attempts", defaultValue = "3") int maxAttempts) {
        this.ports = ports;
        this.renewals = renewals;
        this.lead = lead;
        this.retryAfter = retryAfter;
        this.maxAttempts = maxAttempts;
    }

    public Duration lead() {
        return lead;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The caller's port's settings; another owner's port is 404. */
    public Uni<State> get(Owner owner, UUID id) {
        return ports.owned(owner, id).chain(found -> {
            Port port = found.orElseThrow(() -> ProblemException.notFound("port"));
            return renewals.settings(renewals.pool(), id).map(s -> state(port, s));
        });
    }

    /**
     * Changes the settings in {@code tx} (the caller's transaction, where an Idempotency-Key's answer
     * commits too). Turning auto-renewal on needs a live port (409 {@code PORT_NOT_ACTIVE}) and
     * starts its attempts afresh.
     */
    public Uni<State> change(SqlClient tx, Owner owner, UUID id, Change change) {
        if (STRIPE.equals(change.source())) {
            throw ProblemException.unprocessable("RENEWAL_SOURCE_UNAVAILABLE", "Auto-renewal is paid from the balance only: a card"
                    + " charge settles later, through the card provider, so it cannot keep the port at its end. Use source balance,"
                    + " and turn on auto top-up to keep the balance filled from your saved card.");
        }
        return ports.owned(tx, owner, id, true).chain(found -> {
            Port port = found.orElseThrow(() -> ProblemException.notFound("port"));
            boolean turningOn = Boolean.TRUE.equals(change.enabled());
            if (turningOn && !port.live()) {
                throw ProblemException.conflict("PORT_NOT_ACTIVE", "The port has " + port.status() + "; an ended port is not renewed.");
            }
            return renewals.settings(tx, id).chain(old -> {
                boolean enabled = change.enabled() == null ? old.enabled() : change.enabled();
                String source = change.source() == null ? old.source() : change.source();
                int days = change.renewalDays() == null ? old.renewalDays() : change.renewalDays();
                return renewals.save(tx, id, enabled, source, days, turningOn).chain(() -> renewals.settings(tx, id))
                        .map(saved -> state(port, saved));
            });
        });
    }

    State state(Port port, RenewalRepository.Settings s) {
        return new State(s.enabled(), s.source(), s.renewalDays(), port.expiresAt(), nextRenewalAt(port, s), s.failedAttempts(), maxAttempts,
                s.lastFailureReason(), s.lastFailedAt(), s.totalAutoRenewals(), s.lastRenewedAt());
    }

    /** When the next attempt comes: none while off, once the port ended, or after the last attempt was refused. */
    private Instant nextRenewalAt(Port port, RenewalRepository.Settings s) {
        if (!s.enabled() || !port.live() || s.failedAttempts() >= maxAttempts) {
            return null;
        }
        Instant due = port.expiresAt().minus(lead);
        return s.retryAt() != null && s.retryAt().isAfter(due) ? s.retryAt() : due;
    }
}
