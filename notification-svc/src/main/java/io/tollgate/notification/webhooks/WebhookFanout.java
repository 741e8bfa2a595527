package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.notification.Routing;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a subscribable event into one webhook message and one queued delivery per active endpoint
 * of its owner (the user's own endpoints and the tenant's), in the inbox's transaction: the event
 * is marked consumed exactly when its deliveries exist. An event nobody subscribed to leaves no row.
 */
@ApplicationScoped
public class WebhookFanout implements EventHandler {

    static final String FAN_OUT = """
            with message as (
                insert into webhook_messages (id, tenant_id, user_id, event_type, payload, source_event, created_at)
                select $1, $2, cast($3 as uuid), $4, $5, $6, $7
                where exists (select 1 from webhook_endpoints e where e.tenant_id = $2 and (e.user_id is null or e.user_id = cast($3 as uuid))
                              and e.active and $4 = any (e.events))
                on conflict (source_event) do nothing
                returning id, event_type)
            insert into webhook_deliveries (id, endpoint_id, message_id, event_type, next_attempt_at, created_at, updated_at)
            select gen_random_uuid(), e.id, m.id, m.event_type, $7, $7, $7
            from message m join webhook_endpoints e on e.tenant_id = $2 and (e.user_id is null or e.user_id = cast($3 as uuid))
                 and e.active and m.event_type = any (e.events)""";

    private final ObjectMapper json;
    private final Clock clock;

    public WebhookFanout(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "notification.webhooks";
    }

    @Override
    public Set<String> topics() {
        // proxy's events have their own consumer (ProxyWebhookFanout): a backlog on one topic does not hold up the others
        return Set.of("billing.events", "render.events");
    }

    @Override
    public boolean accepts(String type) {
        return EventCatalogue.published(type) && Routing.routes(type, Routing.Channel.WEBHOOK);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        JsonNode data;
        try {
            data = json.readTree(event.data());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String type = EventCatalogue.publicType(event.type(), data).orElse(null);
        if (type == null) {
            return Uni.createFrom().voidItem(); // a form no partner can subscribe to
        }
        UUID tenant = UUID.fromString(data.path("tenant_id").asText());
        UUID user = data.hasNonNull("user_id") ? UUID.fromString(data.path("user_id").asText()) : null;
        OffsetDateTime happened = (event.time() != null ? event.time() : OffsetDateTime.now(clock)).withOffsetSameInstant(ZoneOffset.UTC);
        String body = body(json, type, happened, data);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return tx.preparedQuery(FAN_OUT)
                .execute(Tuple.from(new Object[] {UUID.randomUUID(), tenant, user, type, body, event.id(), now}))
                .replaceWithVoid();
    }

    /** The Standard Webhooks envelope: {@code {"type", "timestamp", "data"}}. */
    static String body(ObjectMapper json, String type, OffsetDateTime timestamp, JsonNode data) {
        ObjectNode envelope = json.createObjectNode();
        envelope.put("type", type);
        envelope.put("timestamp", timestamp.toInstant().toString());
        envelope.set("data", data);
        try {
            return json.writeValueAsString(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
