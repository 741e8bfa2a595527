package io.tollgate.kit.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.EventType;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.tracing.EventTracing;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Appends an event to the service's {@code outbox} table inside the caller's transaction, so the
 * change and its event commit together or not at all. {@link OutboxRelay} publishes it later.
 */
@ApplicationScoped
public class Outbox {

    /**
     * A {@code NOTIFY} on this PostgreSQL channel wakes the relay; appends through this class wake
     * the relay of their own process directly instead (see {@link OutboxRelay}).
     */
    public static final String CHANNEL = "tollgate_outbox";

    private static final String INSERT = """
            insert into outbox (id, topic, aggregate_id, type, source, subject, payload, occurred_at, traceparent, request_id)
            values ($1, $2, $3, $4, $5, $6, cast(cast($7 as text) as jsonb), $8, $9, $10)""";

    private final ObjectMapper json;
    private final Clock clock;
    private final String source;
    private final OutboxRelay relay;
    private final boolean validate;

    public Outbox(ObjectMapper json, Clock clock, OutboxRelay relay,
                  @ConfigProperty(name = "quarkus.application.name", defaultValue = "tollgate") String service,
                  @ConfigProperty(name = "tollgate.outbox.validate", defaultValue = "false") boolean validate) {
        this.validate = validate;
        this.json = json;
        this.relay = relay;
        this.clock = clock;
        this.source = "urn:tollgate:" + service;
    }

    /** Appends within a transaction of the reactive SQL client; the caller commits it. */
    public Uni<UUID> append(io.vertx.mutiny.sqlclient.SqlClient client, String aggregateId, String subject, Object payload) {
        EventType type = EventSchemas.typeOf(payload.getClass());
        UUID id = Ids.next();
        String body;
        try {
            body = json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event payload is not serialisable", e));
        }
        if (validate) {
            // tests: a producer whose payload drifted from its schema fails where it writes the event
            List<String> violations = EventSchemas.violations(type.value(), body.getBytes(StandardCharsets.UTF_8));
            if (!violations.isEmpty()) {
                return Uni.createFrom().failure(new IllegalStateException("event " + type.value() + " breaks its schema: " + violations));
            }
        }
        return client.preparedQuery(INSERT)
                .execute(io.vertx.mutiny.sqlclient.Tuple.tuple().addUUID(id).addString(type.topic()).addString(aggregateId)
                        .addString(type.value()).addString(source).addString(subject).addString(body)
                        .addOffsetDateTime(OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                        // the trace and request this event was written in, handed on by the relay (EventTracing)
                        .addString(EventTracing.currentTraceparent()).addString(EventTracing.currentRequestId()))
                .invoke(relay::appended)
                .replaceWith(id);
    }

    /**
     * The {@code insert} of events of {@code event}'s type for a statement of the service's own (a CTE
     * of a one-statement money move), with what {@link #append} would write: the type's topic and
     * name, this service's source, an id of the kit's kind ({@code kit_event_id()}, UUIDv7) and the
     * time of the transaction. The caller gives SQL expressions for the aggregate id, the subject
     * and the JSON payload, and the {@code from ... where ...} they are selected from; after the
     * statement it calls {@link #appendedBySql()}. Tests validate such payloads against the
     * schema where the relay publishes them. Such rows carry no trace context (the statement is
     * text made once): the relay publishes them in a trace of their own.
     */
    public String insertSql(Class<?> event, String aggregate, String subject, String payload, String from) {
        EventType type = EventSchemas.typeOf(event);
        return "insert into outbox (id, topic, aggregate_id, type, source, subject, payload, occurred_at)\n"
                + "select kit_event_id(), " + literal(type.topic()) + ", " + aggregate + ", " + literal(type.value()) + ", "
                + literal(source) + ", " + subject + ", " + payload + ", now()\n" + from;
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** For statements of the service's own that insert outbox rows: wakes the relay as an append does. */
    public void appendedBySql() {
        relay.appended();
    }
}
