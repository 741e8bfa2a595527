package io.tollgate.kit.inbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Supplier;

/**
 * Exactly-once effects over at-least-once delivery: the event id is recorded in {@code inbox} in
 * the same transaction as the effect, so a redelivered event finds its record and changes nothing.
 */
@ApplicationScoped
public class Inbox {

    private static final String RECORD = """
            insert into inbox (consumer, event_id, event_type) values (?1, ?2, ?3)
            on conflict (consumer, event_id) do nothing""";

    /** Runs {@code effect} once per (consumer, event id), in the current transaction. */
    public Uni<Boolean> once(String consumer, String eventId, String eventType, Supplier<Uni<Void>> effect) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(RECORD)
                        .setParameter(1, consumer)
                        .setParameter(2, eventId)
                        .setParameter(3, eventType)
                        .executeUpdate())
                .chain(inserted -> inserted == 1 ? effect.get().replaceWith(true) : Uni.createFrom().item(false));
    }
}
