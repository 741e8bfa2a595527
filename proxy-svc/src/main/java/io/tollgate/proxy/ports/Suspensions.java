package io.tollgate.proxy.ports;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.AllowanceRestored;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.proxy.PortUnsuspended;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.kit.outbox.Outbox;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Billing's word on traffic: {@code allowance.exhausted} suspends the user's active ports of that
 * kind (shared or private) with {@code port.suspended} each, {@code allowance.restored} resumes the
 * ones it suspended with {@code port.unsuspended}; both in the inbox's transaction.
 */
@ApplicationScoped
public class Suspensions implements EventHandler {

    public static final String EXHAUSTED = "traffic_exhausted";
    static final String RESTORED = "traffic_restored";

    private final PortRepository ports;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final Clock clock;

    public Suspensions(PortRepository ports, Outbox outbox, ObjectMapper json, Clock clock) {
        this.ports = ports;
        this.outbox = outbox;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "proxy.allowances";
    }

    @Override
    public Set<String> topics() {
        return Set.of("billing.events");
    }

    @Override
    public boolean accepts(String type) {
        return AllowanceExhausted.TYPE.equals(type) || AllowanceRestored.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        Instant now = clock.instant();
        if (AllowanceExhausted.TYPE.equals(event.type())) {
            AllowanceExhausted e = event.data(json, AllowanceExhausted.class);
            boolean isPrivate = "traffic_private".equals(e.resource());
            return ports.exhausted(tx, e.userId(), e.tenantId(), isPrivate, true)
                    .chain(() -> ports.suspend(tx, e.userId(), e.tenantId(), isPrivate, EXHAUSTED))
                    .chain(changed -> announce(changed, p -> outbox.append(tx, p.id().toString(), "ports/" + p.id(),
                            new PortSuspended(e.userId(), e.tenantId(), p.id(), p.name(), isPrivate, EXHAUSTED, now))));
        }
        AllowanceRestored e = event.data(json, AllowanceRestored.class);
        boolean isPrivate = "traffic_private".equals(e.resource());
        return ports.exhausted(tx, e.userId(), e.tenantId(), isPrivate, false)
                .chain(() -> ports.resume(tx, e.userId(), e.tenantId(), isPrivate, EXHAUSTED))
                .chain(changed -> announce(changed, p -> outbox.append(tx, p.id().toString(), "ports/" + p.id(),
                        new PortUnsuspended(e.userId(), e.tenantId(), p.id(), p.name(), isPrivate, RESTORED, now))));
    }

    private static Uni<Void> announce(List<PortRepository.Changed> changed,
                                      Function<PortRepository.Changed, Uni<UUID>> append) {
        return Multi.createFrom().iterable(changed).onItem().transformToUniAndConcatenate(p -> append.apply(p)).collect().asList()
                .replaceWithVoid();
    }
}
