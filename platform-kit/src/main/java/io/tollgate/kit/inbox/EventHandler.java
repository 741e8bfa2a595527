package io.tollgate.kit.inbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import java.util.Set;

/**
 * A service's reaction to events from Kafka. Implement it as a bean; {@link EventConsumers} runs
 * one consumer group per handler, applies {@link #apply} inside a transaction together with the
 * {@link Inbox} record of the event id, and commits offsets only after that transaction committed.
 */
public interface EventHandler {

    /** The Kafka consumer group and the inbox consumer name, e.g. {@code billing.wallets}. */
    String consumer();

    Set<String> topics();

    /** Event types this handler cares about; others are acknowledged without effect. */
    default boolean accepts(String type) {
        return true;
    }

    /**
     * The effect. Every write goes through {@code tx}, the transaction that also records the event
     * id: the effect and the record commit together or not at all, so a redelivery changes nothing.
     */
    Uni<Void> apply(ConsumedEvent event, SqlConnection tx);
}
