package io.tollgate.notification.webhooks;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The SQL of endpoints and their deliveries, for the API (the worker and the log have their own hot
 * statements). An endpoint is always read and changed through its {@link EndpointOwner}.
 */
@ApplicationScoped
public class WebhookRepository {

    /** $2 tenant, $3 user, $4 whether the caller administers the tenant. */
    private static final String OWNED = " tenant_id = $2 and (user_id = $3 or (user_id is null and $4))";
    private static final String DELIVERIES = " from webhook_deliveries where endpoint_id = $1 and ($2::text is null or status = $2)"
            + " and ($3::text is null or event_type = $3)";

    private final Pool pool;

    public WebhookRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    private static Tuple owned(UUID id, EndpointOwner owner) {
        return Tuple.of(id, owner.tenantId(), owner.userId(), owner.tenantAdmin());
    }

    /** Serialises the creates of one owner, so the endpoint limit holds under racing creates. */
    public Uni<Long> lockAndCount(SqlClient tx, UUID tenantId, UUID userId) {
        return tx.preparedQuery("select pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of("webhooks:" + tenantId + ":" + userId))
                .chain(() -> tx.preparedQuery("select count(*) from webhook_endpoints where tenant_id = $1 and user_id is not distinct from $2"
                                + " and kind = 'endpoint'")
                        .execute(Tuple.of(tenantId, userId)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<WebhookEndpoint> insert(SqlClient tx, UUID id, UUID tenantId, UUID userId, String url, String description,
                                       String[] events, String sealedSecret, OffsetDateTime now) {
        return tx.preparedQuery("insert into webhook_endpoints (id, tenant_id, user_id, url, description, events, secret,"
                        + " created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning " + WebhookEndpoint.COLUMNS)
                .execute(Tuple.from(new Object[] {id, tenantId, userId, url, description, events, sealedSecret, now}))
                .map(rows -> WebhookEndpoint.from(rows.iterator().next()));
    }

    public Uni<Long> count(EndpointOwner owner) {
        return pool.preparedQuery("select count(*) from webhook_endpoints where tenant_id = $1 and (user_id = $2 or (user_id is null and $3))"
                        + " and kind = 'endpoint'")
                .execute(Tuple.of(owner.tenantId(), owner.userId(), owner.tenantAdmin())).map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<List<WebhookEndpoint>> page(EndpointOwner owner, PageRequest page) {
        return pool.preparedQuery("select " + WebhookEndpoint.COLUMNS + " from webhook_endpoints"
                        + " where tenant_id = $1 and (user_id = $2 or (user_id is null and $3)) and kind = 'endpoint'"
                        + " order by created_at desc, id limit $4 offset $5")
                .execute(Tuple.of(owner.tenantId(), owner.userId(), owner.tenantAdmin(), page.size(), page.offset()))
                .map(rows -> map(rows, WebhookEndpoint::from));
    }

    public Uni<Optional<WebhookEndpoint>> find(EndpointOwner owner, UUID id) {
        return pool.preparedQuery("select " + WebhookEndpoint.COLUMNS + " from webhook_endpoints where id = $1 and" + OWNED)
                .execute(owned(id, owner)).map(rows -> first(rows, WebhookEndpoint::from));
    }

    /** Null fields stay as they are; active=true clears the failure count, active=false marks it switched off by hand. */
    public Uni<Optional<WebhookEndpoint>> update(EndpointOwner owner, UUID id, String url, String[] events, String description,
                                                 Boolean active, OffsetDateTime now) {
        return pool.preparedQuery("""
                        update webhook_endpoints set url = coalesce($5, url), events = coalesce($6, events),
                               description = coalesce($7, description), active = coalesce($8, active),
                               disabled_reason = case when $8 is null then disabled_reason when $8 then null else 'manual' end,
                               consecutive_failures = case when $8 and not active then 0 else consecutive_failures end,
                               failing_since = case when $8 and not active then null else failing_since end,
                               updated_at = $9
                        where id = $1 and""" + OWNED + " returning " + WebhookEndpoint.COLUMNS)
                .execute(Tuple.from(new Object[] {id, owner.tenantId(), owner.userId(), owner.tenantAdmin(), url, events, description,
                        active, now}))
                .map(rows -> first(rows, WebhookEndpoint::from));
    }

    /**
     * The user's signer of requests' own webhooks, created with {@code sealedSecret} (sealed for
     * {@code candidate}) when there is none yet; its id and whether this call created it.
     */
    public Uni<UUID> requestSigner(SqlClient tx, UUID candidate, UUID tenantId, UUID userId, String sealedSecret, OffsetDateTime now) {
        return tx.preparedQuery("""
                        insert into webhook_endpoints (id, tenant_id, user_id, url, description, events, secret, kind, created_at, updated_at)
                        values ($1, $2, $3, '', 'Signs the webhooks of requests that name their own webhook_url', '{}', $4, 'request', $5, $5)
                        on conflict (tenant_id, user_id) where kind = 'request' do nothing""")
                .execute(Tuple.from(new Object[] {candidate, tenantId, userId, sealedSecret, now}))
                .chain(() -> tx.preparedQuery("select id from webhook_endpoints where tenant_id = $1 and user_id = $2 and kind = 'request'")
                        .execute(Tuple.of(tenantId, userId)))
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    /** A request's own webhook: its message and one delivery to its URL, signed by the user's signer; nothing for a replayed event. */
    public Uni<Void> insertRequestDelivery(SqlClient tx, UUID signer, UUID tenantId, UUID userId, String type, String payload,
                                           String sourceEvent, String url, OffsetDateTime now) {
        return tx.preparedQuery("""
                        with message as (
                            insert into webhook_messages (id, tenant_id, user_id, event_type, payload, source_event, created_at)
                            values (gen_random_uuid(), $1, $2, $3, $4, $5, $6)
                            on conflict (source_event) do nothing
                            returning id, event_type)
                        insert into webhook_deliveries (id, endpoint_id, message_id, event_type, url, next_attempt_at, created_at, updated_at)
                        select gen_random_uuid(), $7, m.id, m.event_type, $8, $6, $6, $6 from message m""")
                .execute(Tuple.from(new Object[] {tenantId, userId, type, payload, sourceEvent, now, signer, url}))
                .replaceWithVoid();
    }

    /** Queued deliveries of a switched-off endpoint fail now instead of waiting for ever (a claimed one finishes). */
    public Uni<Void> failQueued(UUID endpointId, OffsetDateTime now) {
        return pool.preparedQuery("update webhook_deliveries set status = 'failed', next_attempt_at = null, last_error = 'endpoint disabled',"
                        + " updated_at = $2 where endpoint_id = $1 and status in ('pending', 'retrying')"
                        + " and (locked_until is null or locked_until < $2)")
                .execute(Tuple.of(endpointId, now)).replaceWithVoid();
    }

    public Uni<Boolean> delete(EndpointOwner owner, UUID id) {
        return pool.preparedQuery("delete from webhook_endpoints where id = $1 and" + OWNED).execute(owned(id, owner))
                .map(rows -> rows.rowCount() == 1);
    }

    /** The sealed current secret and, inside its grace, the previous one. */
    public record SealedSecrets(String current, String previous) {
    }

    public Uni<SealedSecrets> secrets(UUID endpointId, OffsetDateTime now) {
        return pool.preparedQuery("select secret, case when previous_secret_until > $2 then previous_secret end as previous"
                        + " from webhook_endpoints where id = $1").execute(Tuple.of(endpointId, now))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new SealedSecrets(row.getString("secret"), row.getString("previous"));
                });
    }

    public Uni<Void> rotate(UUID endpointId, String sealedSecret, boolean keepPrevious, OffsetDateTime previousUntil,
                            OffsetDateTime now) {
        return pool.preparedQuery("update webhook_endpoints set previous_secret = case when $3 then secret end,"
                        + " previous_secret_until = case when $3 then $4::timestamptz end, secret = $2, updated_at = $5 where id = $1")
                .execute(Tuple.from(new Object[] {endpointId, sealedSecret, keepPrevious, previousUntil, now})).replaceWithVoid();
    }

    /** A message and its one delivery, claimed at once by the caller under {@code leaseId} (a test send). */
    public Uni<Void> insertClaimed(UUID message, UUID tenantId, UUID userId, String type, String payload, UUID delivery,
                                   UUID endpointId, OffsetDateTime now, OffsetDateTime lockedUntil, UUID leaseId) {
        return pool.withTransaction(tx -> tx.preparedQuery("insert into webhook_messages (id, tenant_id, user_id, event_type, payload,"
                                + " created_at) values ($1, $2, $3, $4, $5, $6)")
                        .execute(Tuple.from(new Object[] {message, tenantId, userId, type, payload, now}))
                        .chain(() -> tx.preparedQuery("insert into webhook_deliveries (id, endpoint_id, message_id, event_type,"
                                        + " next_attempt_at, locked_until, lease_id, created_at, updated_at)"
                                        + " values ($1, $2, $3, $4, $5, $6, $7, $5, $5)")
                                .execute(Tuple.from(new Object[] {delivery, endpointId, message, type, now, lockedUntil, leaseId}))))
                .replaceWithVoid();
    }

    public Uni<Long> countDeliveries(UUID endpointId, String status, String eventType) {
        return pool.preparedQuery("select count(*)" + DELIVERIES).execute(Tuple.of(endpointId, status, eventType))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<List<Delivery>> deliveries(UUID endpointId, String status, String eventType, PageRequest page) {
        return pool.preparedQuery("select *" + DELIVERIES + " order by created_at desc, id limit $4 offset $5")
                .execute(Tuple.of(endpointId, status, eventType, page.size(), page.offset()))
                .map(rows -> map(rows, Delivery::from));
    }

    /** A delivery of the endpoint with the exact body sent. */
    public record DeliveryWithPayload(Delivery delivery, String payload) {
    }

    public Uni<Optional<DeliveryWithPayload>> delivery(UUID endpointId, UUID deliveryId) {
        return pool.preparedQuery("select d.*, m.payload from webhook_deliveries d join webhook_messages m on m.id = d.message_id"
                        + " where d.id = $1 and d.endpoint_id = $2")
                .execute(Tuple.of(deliveryId, endpointId))
                .map(rows -> first(rows, r -> new DeliveryWithPayload(Delivery.from(r), r.getString("payload"))));
    }

    public Uni<List<Delivery.Attempt>> attempts(UUID deliveryId) {
        return pool.preparedQuery("select * from webhook_attempts where delivery_id = $1 order by attempt").execute(Tuple.of(deliveryId))
                .map(rows -> map(rows, Delivery.Attempt::from));
    }

    /** The same message queued again to the endpoint. */
    public Uni<Delivery> requeue(UUID endpointId, UUID messageId, String eventType, OffsetDateTime now) {
        return pool.preparedQuery("insert into webhook_deliveries (id, endpoint_id, message_id, event_type, next_attempt_at,"
                        + " created_at, updated_at) values ($1, $2, $3, $4, $5, $5, $5) returning *")
                .execute(Tuple.of(UUID.randomUUID(), endpointId, messageId, eventType, now))
                .map(rows -> Delivery.from(rows.iterator().next()));
    }

    private static <T> List<T> map(Iterable<Row> rows, Function<Row, T> mapper) {
        List<T> out = new ArrayList<>();
        rows.forEach(r -> out.add(mapper.apply(r)));
        return out;
    }

    private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapper) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(mapper.apply(rows.iterator().next()));
    }
}
