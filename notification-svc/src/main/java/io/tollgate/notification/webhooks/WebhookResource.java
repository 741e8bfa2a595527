package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The caller's outgoing webhook endpoints: a user's own, or (for tenant administrators) the
 * tenant's, which receive the events of every user of the tenant. Another owner's endpoint does
 * not exist for the caller (404).
 */
@Path("/v1/webhooks")
@Authenticated
@RunOnVirtualThread
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks")
public class WebhookResource {

    public static final int MAX_ENDPOINTS = 20;
    public static final int MAX_EVENTS = 50;
    public static final int MAX_DESCRIPTION = 500;
    static final Duration MAX_GRACE = Duration.ofDays(7);
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final Set<String> STATUSES = Set.of("pending", "retrying", "succeeded", "failed");

    private static final String ENDPOINT_COLUMNS = """
            id, user_id, url, description, events, active, disabled_reason, consecutive_failures, failing_since,
            last_attempt_at, last_status_code, previous_secret_until, created_at, updated_at""";
    private static final String OWNED = " tenant_id = $2 and (user_id = $3 or (user_id is null and $4))";

    public record CreateEndpoint(String url, List<String> events, String description, String scope) {
    }

    public record UpdateEndpoint(String url, List<String> events, String description, Boolean active) {
    }

    public record EndpointView(UUID id, String scope, String url, String description, List<String> events, boolean active,
                               String disabledReason, int consecutiveFailures, Instant failingSince, Instant lastAttemptAt,
                               Integer lastStatusCode, Instant previousSecretExpiresAt, Instant createdAt, Instant updatedAt) {
        static EndpointView of(Row r) {
            return new EndpointView(r.getUUID("id"), r.getUUID("user_id") == null ? "tenant" : "user", r.getString("url"),
                    r.getString("description"), Arrays.asList(r.getArrayOfStrings("events")), r.getBoolean("active"),
                    r.getString("disabled_reason"), r.getInteger("consecutive_failures"), instant(r, "failing_since"),
                    instant(r, "last_attempt_at"), r.getInteger("last_status_code"), instant(r, "previous_secret_until"),
                    instant(r, "created_at"), instant(r, "updated_at"));
        }
    }

    /** The create answer: the endpoint and its signing secret, which is never shown again. */
    public record CreatedEndpoint(UUID id, String scope, String url, String description, List<String> events, boolean active,
                                  String secret, Instant createdAt) {
    }

    public record TestRequest(String eventType) {
    }

    public record TestResult(boolean success, Integer statusCode, int responseTimeMs, String error, UUID deliveryId) {
    }

    public record RotateRequest(Long expirePreviousInSeconds) {
    }

    public record RotatedSecret(String secret, Instant previousSecretExpiresAt) {
    }

    public record DeliveryView(UUID id, String webhookId, String eventType, String status, int attempts, Instant nextAttemptAt,
                               Integer lastStatusCode, String lastError, Instant createdAt, Instant updatedAt) {
        static DeliveryView of(Row r) {
            return new DeliveryView(r.getUUID("id"), DeliveryWorker.messageId(r.getUUID("message_id")), r.getString("event_type"),
                    r.getString("status"), r.getInteger("attempts"), instant(r, "next_attempt_at"), r.getInteger("last_status_code"),
                    r.getString("last_error"), instant(r, "created_at"), instant(r, "updated_at"));
        }
    }

    public record AttemptView(int attempt, Integer statusCode, String responseBody, int durationMs, String error,
                              Instant attemptedAt) {
    }

    public record DeliveryDetail(DeliveryView delivery, String payload, List<AttemptView> attempts) {
    }

    private final CurrentPrincipal principal;
    private final Pool pool;
    private final UrlGuard guard;
    private final WebhookSender sender;
    private final DeliveryLog log;
    private final DeliveryWorker worker;
    private final WebhookSecrets secrets;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration lease;

    public WebhookResource(CurrentPrincipal principal, Pool pool, UrlGuard guard, WebhookSender sender, DeliveryLog log,
                           DeliveryWorker worker, WebhookSecrets secrets, ObjectMapper json, Clock clock,
                           @ConfigProperty(name = "tollgate.notification.webhooks.worker.lease", defaultValue = "60s") Duration lease) {
        this.principal = principal;
        this.pool = pool;
        this.guard = guard;
        this.sender = sender;
        this.log = log;
        this.worker = worker;
        this.secrets = secrets;
        this.json = json;
        this.clock = clock;
        this.lease = lease;
    }

    @GET
    @Path("/event-types")
    @Operation(summary = "The events an endpoint can subscribe to")
    public Map<String, List<EventCatalogue.EventTypeView>> eventTypes() {
        caller("webhooks:read");
        return Map.of("data", EventCatalogue.all());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an endpoint; the answer carries its whsec_ signing secret, shown only this once")
    public Response create(CreateEndpoint body) {
        Principal caller = caller("webhooks:write");
        if (body == null) {
            throw ProblemException.validation("url", "is required");
        }
        String scope = body.scope() == null ? "user" : body.scope();
        if (!scope.equals("user") && !scope.equals("tenant")) {
            throw ProblemException.validation("scope", "must be user or tenant");
        }
        if (scope.equals("tenant") && !tenantAdmin(caller)) {
            throw ProblemException.forbidden("TENANT_ADMIN_ONLY", "Only a tenant administrator can create the tenant's endpoints.");
        }
        String[] events = events(body.events());
        String description = description(body.description());
        String url = checkedUrl(body.url());
        UUID id = UUID.randomUUID();
        UUID owner = scope.equals("user") ? caller.userUuid() : null;
        String secret = Signatures.newSecret();
        OffsetDateTime now = now();
        Row row = pool.withTransaction(tx -> tx.preparedQuery("select pg_advisory_xact_lock(hashtext($1))")
                        .execute(Tuple.of("webhooks:" + caller.tenantId() + ":" + owner))
                        .chain(() -> tx.preparedQuery("select count(*) from webhook_endpoints where tenant_id = $1 and user_id is not distinct from $2")
                                .execute(Tuple.of(caller.tenantId(), owner)))
                        .chain(count -> {
                            if (count.iterator().next().getLong(0) >= MAX_ENDPOINTS) {
                                throw ProblemException.unprocessable("WEBHOOK_LIMIT_REACHED",
                                        "An owner can have at most " + MAX_ENDPOINTS + " endpoints; delete one first.").with("limit", MAX_ENDPOINTS);
                            }
                            return tx.preparedQuery("insert into webhook_endpoints (id, tenant_id, user_id, url, description, events, secret,"
                                            + " created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning " + ENDPOINT_COLUMNS)
                                    .execute(Tuple.from(new Object[] {id, caller.tenantId(), owner, url, description, events,
                                            secrets.seal(secret, id), now}));
                        })).await().atMost(AWAIT).iterator().next();
        EndpointView v = EndpointView.of(row);
        return Response.status(201).header("Location", "/v1/webhooks/" + id)
                .entity(new CreatedEndpoint(v.id(), v.scope(), v.url(), v.description(), v.events(), v.active(), secret, v.createdAt()))
                .build();
    }

    @GET
    @Operation(summary = "The caller's endpoints (and the tenant's, for tenant administrators), newest first")
    public Page<EndpointView> list(@Valid @BeanParam PageRequest page) {
        Principal caller = caller("webhooks:read");
        String where = " where" + OWNED.replace("$2", "$1").replace("$3", "$2").replace("$4", "$3");
        Tuple owner = Tuple.of(caller.tenantId(), caller.userUuid(), tenantAdmin(caller));
        long total = pool.preparedQuery("select count(*) from webhook_endpoints" + where).execute(owner).await().atMost(AWAIT)
                .iterator().next().getLong(0);
        List<EndpointView> data = new ArrayList<>();
        pool.preparedQuery("select " + ENDPOINT_COLUMNS + " from webhook_endpoints" + where
                        + " order by created_at desc, id limit $4 offset $5")
                .execute(Tuple.of(caller.tenantId(), caller.userUuid(), tenantAdmin(caller), page.size(), page.offset()))
                .await().atMost(AWAIT).forEach(r -> data.add(EndpointView.of(r)));
        return Page.of(data, page, total);
    }

    @GET
    @Path("/{id}")
    public EndpointView get(@PathParam("id") UUID id) {
        Principal caller = caller("webhooks:read");
        return EndpointView.of(owned(caller, id));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change url, events, description; active=true re-enables a disabled endpoint and clears its failure count")
    public EndpointView update(@PathParam("id") UUID id, UpdateEndpoint body) {
        Principal caller = caller("webhooks:write");
        owned(caller, id);
        if (body == null) {
            throw ProblemException.validation("url", "nothing to change");
        }
        String url = body.url() == null ? null : checkedUrl(body.url());
        String[] events = body.events() == null ? null : events(body.events());
        String description = body.description() == null ? null : description(body.description());
        Boolean active = body.active();
        RowSet<Row> rows = pool.preparedQuery("""
                        update webhook_endpoints set url = coalesce($5, url), events = coalesce($6, events),
                               description = coalesce($7, description), active = coalesce($8, active),
                               disabled_reason = case when $8 is null then disabled_reason when $8 then null else 'manual' end,
                               consecutive_failures = case when $8 and not active then 0 else consecutive_failures end,
                               failing_since = case when $8 and not active then null else failing_since end,
                               updated_at = $9
                        where id = $1 and""" + OWNED + " returning " + ENDPOINT_COLUMNS)
                .execute(Tuple.from(new Object[] {id, caller.tenantId(), caller.userUuid(), tenantAdmin(caller), url, events, description,
                        active, now()}))
                .await().atMost(AWAIT);
        if (rows.size() == 0) {
            throw ProblemException.notFound("webhook endpoint");
        }
        if (Boolean.FALSE.equals(active)) {
            // queued deliveries of a switched-off endpoint fail now instead of waiting for ever
            pool.preparedQuery("update webhook_deliveries set status = 'failed', next_attempt_at = null, last_error = 'endpoint disabled',"
                            + " updated_at = $2 where endpoint_id = $1 and status in ('pending', 'retrying')"
                            + " and (locked_until is null or locked_until < $2)")
                    .execute(Tuple.of(id, now())).await().atMost(AWAIT);
        }
        return EndpointView.of(rows.iterator().next());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an endpoint with its delivery history")
    public Response delete(@PathParam("id") UUID id) {
        Principal caller = caller("webhooks:write");
        int n = pool.preparedQuery("delete from webhook_endpoints where id = $1 and" + OWNED)
                .execute(Tuple.of(id, caller.tenantId(), caller.userUuid(), tenantAdmin(caller))).await().atMost(AWAIT).rowCount();
        if (n == 0) {
            throw ProblemException.notFound("webhook endpoint");
        }
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/test")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a signed test event now and report how the endpoint answered; it is kept in the delivery history")
    public TestResult test(@PathParam("id") UUID id, TestRequest body) {
        Principal caller = caller("webhooks:write");
        Row endpoint = owned(caller, id);
        String type = body == null || body.eventType() == null ? EventCatalogue.TEST : body.eventType();
        if (!type.equals(EventCatalogue.TEST) && !EventCatalogue.subscribable(type)) {
            throw ProblemException.validation("event_type", "is not a known event type; see /v1/webhooks/event-types");
        }
        OffsetDateTime now = now();
        var data = json.createObjectNode().put("test", true).put("endpoint_id", id.toString())
                .put("message", "A test event from Tollgate. Real " + type + " events carry that event's data.");
        String payload = WebhookFanout.body(json, type, now, data);
        UUID message = UUID.randomUUID();
        UUID delivery = UUID.randomUUID();
        UUID leaseId = UUID.randomUUID();
        pool.withTransaction(tx -> tx.preparedQuery("insert into webhook_messages (id, tenant_id, user_id, event_type, payload, created_at)"
                                + " values ($1, $2, $3, $4, $5, $6)")
                        .execute(Tuple.from(new Object[] {message, caller.tenantId(), endpoint.getUUID("user_id"), type, payload, now}))
                        .chain(() -> tx.preparedQuery("insert into webhook_deliveries (id, endpoint_id, message_id, event_type, next_attempt_at,"
                                        + " locked_until, lease_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $5, $5)")
                                .execute(Tuple.from(new Object[] {delivery, id, message, type, now, now.plus(lease), leaseId}))))
                .await().atMost(AWAIT);
        Row secrets = pool.preparedQuery("select secret, case when previous_secret_until > $2 then previous_secret end as previous"
                        + " from webhook_endpoints where id = $1").execute(Tuple.of(id, now)).await().atMost(AWAIT).iterator().next();
        Instant at = clock.instant();
        WebhookSender.Outcome outcome = sender.send(new WebhookSender.Request(endpoint.getString("url"),
                DeliveryWorker.messageId(message), payload, this.secrets.open(secrets.getString("secret"), id),
                this.secrets.open(secrets.getString("previous"), id)));
        log.record(delivery, leaseId, 1, false, outcome, at);
        return new TestResult(outcome.succeeded(), outcome.statusCode(), outcome.durationMs(), outcome.error(), delivery);
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "Delivery history, newest first; filter by status (pending, retrying, succeeded, failed) and event_type")
    public Page<DeliveryView> deliveries(@PathParam("id") UUID id, @QueryParam("status") String status,
                                         @QueryParam("event_type") String eventType, @Valid @BeanParam PageRequest page) {
        Principal caller = caller("webhooks:read");
        owned(caller, id);
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be one of pending, retrying, succeeded, failed");
        }
        String where = " from webhook_deliveries where endpoint_id = $1 and ($2::text is null or status = $2)"
                + " and ($3::text is null or event_type = $3)";
        long total = pool.preparedQuery("select count(*)" + where).execute(Tuple.of(id, status, eventType)).await().atMost(AWAIT)
                .iterator().next().getLong(0);
        List<DeliveryView> data = new ArrayList<>();
        pool.preparedQuery("select *" + where + " order by created_at desc, id limit $4 offset $5")
                .execute(Tuple.of(id, status, eventType, page.size(), page.offset())).await().atMost(AWAIT)
                .forEach(r -> data.add(DeliveryView.of(r)));
        return Page.of(data, page, total);
    }

    @GET
    @Path("/{id}/deliveries/{deliveryId}")
    @Operation(summary = "One delivery with the exact body sent and every attempt")
    public DeliveryDetail delivery(@PathParam("id") UUID id, @PathParam("deliveryId") UUID deliveryId) {
        Principal caller = caller("webhooks:read");
        owned(caller, id);
        Row d = ownedDelivery(id, deliveryId);
        List<AttemptView> attempts = new ArrayList<>();
        pool.preparedQuery("select * from webhook_attempts where delivery_id = $1 order by attempt").execute(Tuple.of(deliveryId))
                .await().atMost(AWAIT).forEach(a -> attempts.add(new AttemptView(a.getInteger("attempt"), a.getInteger("status_code"),
                        a.getString("response_body"), a.getInteger("duration_ms"), a.getString("error"), instant(a, "attempted_at"))));
        return new DeliveryDetail(DeliveryView.of(d), d.getString("payload"), attempts);
    }

    @POST
    @Path("/{id}/deliveries/{deliveryId}/redeliver")
    @Operation(summary = "Queue the same message (same webhook-id and body) to this endpoint again")
    public Response redeliver(@PathParam("id") UUID id, @PathParam("deliveryId") UUID deliveryId) {
        Principal caller = caller("webhooks:write");
        Row endpoint = owned(caller, id);
        Row d = ownedDelivery(id, deliveryId);
        if (!endpoint.getBoolean("active")) {
            throw ProblemException.conflict("ENDPOINT_DISABLED", "The endpoint is disabled; re-enable it before redelivering.");
        }
        OffsetDateTime now = now();
        Row created = pool.preparedQuery("insert into webhook_deliveries (id, endpoint_id, message_id, event_type, next_attempt_at,"
                        + " created_at, updated_at) values ($1, $2, $3, $4, $5, $5, $5) returning *")
                .execute(Tuple.of(UUID.randomUUID(), id, d.getUUID("message_id"), d.getString("event_type"), now))
                .await().atMost(AWAIT).iterator().next();
        worker.nudge();
        return Response.accepted(DeliveryView.of(created)).build();
    }

    @POST
    @Path("/{id}/rotate-secret")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A new signing secret; the previous one keeps signing too (two signatures) until it expires (default 24 h)")
    public RotatedSecret rotate(@PathParam("id") UUID id, RotateRequest body) {
        Principal caller = caller("webhooks:write");
        owned(caller, id);
        long grace = body == null || body.expirePreviousInSeconds() == null ? 86_400 : body.expirePreviousInSeconds();
        if (grace < 0 || grace > MAX_GRACE.toSeconds()) {
            throw ProblemException.validation("expire_previous_in_seconds", "must be between 0 and " + MAX_GRACE.toSeconds());
        }
        String secret = Signatures.newSecret();
        OffsetDateTime until = now().plusSeconds(grace);
        pool.preparedQuery("update webhook_endpoints set previous_secret = case when $3 then secret end,"
                        + " previous_secret_until = case when $3 then $4::timestamptz end, secret = $2, updated_at = $5 where id = $1")
                .execute(Tuple.from(new Object[] {id, secrets.seal(secret, id), grace > 0, until, now()})).await().atMost(AWAIT);
        return new RotatedSecret(secret, grace > 0 ? until.toInstant() : null);
    }

    private Principal caller(String scope) {
        Principal caller = principal.get();
        caller.requireScope(scope);
        return caller;
    }

    private static boolean tenantAdmin(Principal caller) {
        return caller.hasRole("tenant_admin") || caller.hasRole("admin");
    }

    private Row owned(Principal caller, UUID id) {
        RowSet<Row> rows = pool.preparedQuery("select " + ENDPOINT_COLUMNS + " from webhook_endpoints where id = $1 and" + OWNED)
                .execute(Tuple.of(id, caller.tenantId(), caller.userUuid(), tenantAdmin(caller))).await().atMost(AWAIT);
        if (rows.size() == 0) {
            throw ProblemException.notFound("webhook endpoint");
        }
        return rows.iterator().next();
    }

    private Row ownedDelivery(UUID endpoint, UUID delivery) {
        RowSet<Row> rows = pool.preparedQuery("select d.*, m.payload from webhook_deliveries d join webhook_messages m on m.id = d.message_id"
                        + " where d.id = $1 and d.endpoint_id = $2")
                .execute(Tuple.of(delivery, endpoint)).await().atMost(AWAIT);
        if (rows.size() == 0) {
            throw ProblemException.notFound("webhook delivery");
        }
        return rows.iterator().next();
    }

    private String checkedUrl(String url) {
        return guard.check(url).uri().toString();
    }

    private static String[] events(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw ProblemException.validation("events", "must name at least one event type");
        }
        if (events.size() > MAX_EVENTS) {
            throw ProblemException.validation("events", "must name at most " + MAX_EVENTS + " event types");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            if (e == null || !EventCatalogue.subscribable(e)) {
                throw ProblemException.validation("events[" + i + "]", "is not a known event type; see /v1/webhooks/event-types");
            }
            distinct.add(e);
        }
        return distinct.toArray(String[]::new);
    }

    private static String description(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ProblemException.validation("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        return description;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
