package io.tollgate.kit.inbox;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@code dead_letters} table: events a consumer gave up on, with the error, until they are replayed. */
@ApplicationScoped
public class DeadLetters {

    /** The type recorded for a Kafka record that is no CloudEvent: it cannot be replayed. */
    public static final String NOT_A_CLOUDEVENT = "(not a CloudEvent)";

    /** A dead letter as an administrator sees it; {@code data} is the event's body as text. */
    public record View(UUID id, String consumer, String eventId, String eventType, String source, String subject,
                       Instant eventTime, String topic, int partition, long offset, String key, String data, String error,
                       int attempts, Instant createdAt, Instant replayedAt) {
        static View of(Row row) {
            var data = row.getBuffer("data");
            return new View(row.getUUID("id"), row.getString("consumer"), row.getString("event_id"), row.getString("event_type"),
                    row.getString("source"), row.getString("subject"), instant(row, "event_time"), row.getString("topic"),
                    row.getInteger("kafka_partition"), row.getLong("kafka_offset"), row.getString("record_key"),
                    data == null ? null : new String(data.getBytes(), StandardCharsets.UTF_8), row.getString("error"),
                    row.getInteger("attempts"), instant(row, "created_at"), instant(row, "replayed_at"));
        }

        private static Instant instant(Row row, String column) {
            OffsetDateTime value = row.getOffsetDateTime(column);
            return value == null ? null : value.toInstant();
        }

        /** The event as the consumer read it. */
        ConsumedEvent event() {
            return new ConsumedEvent(eventId, eventType, source, subject,
                    eventTime == null ? null : eventTime.atOffset(java.time.ZoneOffset.UTC),
                    data == null ? new byte[0] : data.getBytes(StandardCharsets.UTF_8), key, topic, partition, offset);
        }
    }

    private static final String COLUMNS = """
            id, consumer, event_id, event_type, source, subject, event_time, topic, kafka_partition, kafka_offset, record_key,
            data, error, attempts, created_at, replayed_at""";

    // A redelivery of an event already dead-lettered (its offset was not committed) adds its attempts.
    private static final String RECORD = """
            insert into dead_letters (id, consumer, event_id, event_type, source, subject, event_time, topic, kafka_partition,
                                      kafka_offset, record_key, data, error, attempts)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            on conflict (consumer, event_id) do update
               set error = excluded.error, attempts = dead_letters.attempts + excluded.attempts, created_at = now(),
                   replayed_at = null""";

    private final Pool pool;

    public DeadLetters(Pool pool) {
        this.pool = pool;
    }

    /** Records what {@code consumer} gave up on. */
    public Uni<Void> record(String consumer, String eventId, String type, String source, String subject, OffsetDateTime time,
                            String topic, int partition, long offset, String key, byte[] data, String error, int attempts) {
        Tuple values = Tuple.tuple().addUUID(UUID.randomUUID()).addString(consumer).addString(eventId).addString(type)
                .addString(source).addString(subject).addOffsetDateTime(time).addString(topic).addInteger(partition)
                .addLong(offset).addString(key).addValue(Buffer.buffer(data == null ? new byte[0] : data)).addString(error)
                .addInteger(attempts);
        return pool.preparedQuery(RECORD).execute(values).replaceWithVoid();
    }

    public Uni<Page<View>> page(String consumer, Boolean replayed, PageRequest page) {
        String where = " where ($1::text is null or consumer = $1) and ($2::boolean is null or (replayed_at is not null) = $2)";
        Tuple filter = Tuple.of(consumer, replayed);
        return pool.preparedQuery("select count(*) from dead_letters" + where).execute(filter)
                .chain(count -> pool.preparedQuery("select " + COLUMNS + " from dead_letters" + where
                                + " order by created_at desc, id limit $3 offset $4")
                        .execute(Tuple.of(consumer, replayed, page.size(), page.offset()))
                        .map(rows -> {
                            List<View> out = new ArrayList<>();
                            rows.forEach(r -> out.add(View.of(r)));
                            return Page.of(out, page, count.iterator().next().getLong(0));
                        }));
    }

    public Uni<View> one(UUID id) {
        return one(pool, id, false);
    }

    /** The dead letter through {@code client}; {@code lock} takes its row for the transaction (a replay). */
    Uni<View> one(SqlClient client, UUID id, boolean lock) {
        return client.preparedQuery("select " + COLUMNS + " from dead_letters where id = $1" + (lock ? " for update" : ""))
                .execute(Tuple.of(id)).map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("dead letter");
                    }
                    return View.of(rows.iterator().next());
                });
    }

    Uni<Void> replayed(SqlClient client, UUID id) {
        return client.preparedQuery("update dead_letters set replayed_at = now() where id = $1").execute(Tuple.of(id))
                .replaceWithVoid();
    }

    Uni<Void> failedAgain(UUID id, String error) {
        return pool.preparedQuery("update dead_letters set error = $2, attempts = attempts + 1 where id = $1")
                .execute(Tuple.of(id, error)).replaceWithVoid();
    }

    /** How many dead letters wait for a replay (all consumers of this service). */
    public Uni<Long> waiting() {
        return pool.query("select count(*) from dead_letters where replayed_at is null").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
