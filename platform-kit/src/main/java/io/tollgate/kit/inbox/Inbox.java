package io.tollgate.kit.inbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Supplier;

/**
 * Exactly-once effects over at-least-once delivery: the event id is recorded in {@code inbox} in
 * the same transaction as the effect, so a redelivered event finds its record and changes nothing.
 */
@ApplicationScoped
public class Inbox {

    private static final String RECORD = """
            insert into inbox (consumer, event_id, event_type) values ($1, $2, $3)
            on conflict (consumer, event_id) do nothing""";

    /** Runs {@code effect} once per (consumer, event id), in the transaction {@code tx}. */
    public Uni<Boolean> once(SqlClient tx, String consumer, String eventId, String eventType, Supplier<Uni<Void>> effect) {
        return tx.preparedQuery(RECORD).execute(Tuple.of(consumer, eventId, eventType))
                .chain(rows -> rows.rowCount() == 1 ? effect.get().replaceWith(true) : Uni.createFrom().item(false));
    }
}
