package io.tollgate.proxy.ports;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.proxy.PortRenewalFailed;
import io.tollgate.contracts.proxy.PortRenewed;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Renews ports whose auto-renewal is due. Each due port is claimed first (so replicas share the
 * work and never renew one port twice), then billing charges the balance; its answer is written
 * under the claim in one transaction with its event: charged moves the port's end by the days
 * bought ({@code port.renewed}); refused counts the attempt and says why ({@code port.renewal_failed},
 * mailed); billing unreachable records nothing, and the next scan asks again with the same key.
 */
@ApplicationScoped
public class PortRenewal {

    /** Fault point for tests: billing charged, and proxy fails before writing the outcome. */
    public static final String FAULT_AFTER_CHARGE = "renewal.after-charge";

    private static final Logger LOG = Logger.getLogger(PortRenewal.class);
    private static final int BATCH = 50;
    // longer than billing's call may take (its timeout), so a claim outlives the call that holds it
    private static final Duration CLAIM = Duration.ofSeconds(60);

    private final RenewalRepository renewals;
    private final AutoRenewals settings;
    private final BillingRenewals billing;
    private final Outbox outbox;
    private final Faults faults;
    private final Clock clock;

    public PortRenewal(RenewalRepository renewals, AutoRenewals settings, BillingRenewals billing, Outbox outbox, Faults faults, Clock clock) {
        this.renewals = renewals;
        this.settings = settings;
        this.billing = billing;
        this.outbox = outbox;
        this.faults = faults;
        this.clock = clock;
    }

    @Scheduled(every = "${tollgate.proxy.renewal.scan:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scan() {
        return renewDue().replaceWithVoid();
    }

    /** One pass over the due ports: how many were claimed. */
    public Uni<Integer> renewDue() {
        UUID claim = Ids.next();
        return renewals.claimDue(claim, clock.instant(), CLAIM, settings.maxAttempts(), settings.lead(), BATCH)
                .chain(due -> Multi.createFrom().iterable(due)
                        .onItem().transformToUniAndConcatenate(port -> renew(port, claim)
                                .onFailure().recoverWithUni(e -> {
                                    LOG.warnf("renewal of port %s not decided now, tried again later: %s", port.id(), e.toString());
                                    return renewals.release(port.id(), claim);
                                }))
                        .collect().asList().map(done -> due.size()));
    }

    private Uni<Void> renew(RenewalRepository.Due port, UUID claim) {
        return billing.charge(port).chain(outcome -> switch (outcome) {
            case BillingRenewals.Charged charged -> faults.at(FAULT_AFTER_CHARGE).chain(() -> renewed(port, claim, charged));
            case BillingRenewals.Refused refused -> refused(port, claim, refused);
        });
    }

    private Uni<Void> renewed(RenewalRepository.Due port, UUID claim, BillingRenewals.Charged charged) {
        Instant now = clock.instant();
        return renewals.pool().withTransaction(tx -> renewals.renewed(tx, port.id(), claim, port.days(), now, PortExpiry.AHEAD)
                .chain(done -> {
                    if (done.isEmpty()) {
                        LOG.warnf("port %s was charged renewal %s but had ended or was taken over meanwhile", port.id(), charged.renewalId());
                        return Uni.createFrom().voidItem();
                    }
                    RenewalRepository.Renewed r = done.get();
                    return outbox.append(tx, port.id().toString(), "ports/" + port.id(), new PortRenewed(port.userId(), port.tenantId(),
                            port.id(), port.name(), port.displayName(), port.country(), port.isPrivate(), port.days(), port.expiresAt(),
                            r.expiresAt(), charged.totalMinor(), charged.currency(), charged.renewalId(), r.totalAutoRenewals(), now))
                            .replaceWithVoid();
                }));
    }

    private Uni<Void> refused(RenewalRepository.Due port, UUID claim, BillingRenewals.Refused refused) {
        Instant now = clock.instant();
        Instant retryAt = now.plus(settings.retryAfter());
        return renewals.pool().withTransaction(tx -> renewals.refused(tx, port.id(), claim, refused.reason(), now, retryAt)
                .chain(attempts -> {
                    if (attempts.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    int made = attempts.get();
                    boolean willRetry = made < settings.maxAttempts() && retryAt.isBefore(port.expiresAt());
                    return outbox.append(tx, port.id().toString(), "ports/" + port.id(), new PortRenewalFailed(port.userId(),
                            port.tenantId(), port.id(), port.name(), port.displayName(), port.country(), port.isPrivate(), port.days(),
                            port.expiresAt(), refused.reason(), refused.requiredMinor(), refused.availableMinor(), refused.currency(), made,
                            settings.maxAttempts(), willRetry, willRetry ? retryAt : null, now)).replaceWithVoid();
                }));
    }
}
