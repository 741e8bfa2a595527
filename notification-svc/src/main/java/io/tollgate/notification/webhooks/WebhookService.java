package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.concurrent.Offload;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The rules of outgoing webhook endpoints: what an endpoint may subscribe to and point at (every URL
 * is checked against SSRF at create and update), how many an owner may have, the secret shown once
 * and rotated with a grace period, test sends and redeliveries. The URL check (it resolves names)
 * and a test send (it waits for the receiver) run off the event loop.
 */
@ApplicationScoped
public class WebhookService {

    public static final int MAX_ENDPOINTS = 20;
    public static final int MAX_EVENTS = 50;
    public static final int MAX_DESCRIPTION = 500;
    static final Duration MAX_GRACE = Duration.ofDays(7);
    static final long DEFAULT_GRACE_SECONDS = 86_400;
    private static final Set<String> STATUSES = Set.of("pending", "retrying", "succeeded", "failed");

    /** A new endpoint and its signing secret, which is never shown again. */
    public record Created(WebhookEndpoint endpoint, String secret) {
    }

    public record Rotated(String secret, Instant previousSecretExpiresAt) {
    }

    public record Tested(WebhookSender.Outcome outcome, UUID deliveryId) {
    }

    public record DeliveryDetail(Delivery delivery, String payload, List<Delivery.Attempt> attempts) {
    }

    private final WebhookRepository endpoints;
    private final UrlGuard guard;
    private final WebhookSender sender;
    private final DeliveryLog log;
    private final DeliveryWorker worker;
    private final WebhookSecrets secrets;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration lease;

    public WebhookService(WebhookRepository endpoints, UrlGuard guard, WebhookSender sender, DeliveryLog log, DeliveryWorker worker,
                          WebhookSecrets secrets, ObjectMapper json, Clock clock,
                          @ConfigProperty(name = "tollgate.notification.webhooks.worker.lease", defaultValue = "60s") Duration lease) {
        this.endpoints = endpoints;
        this.guard = guard;
        this.sender = sender;
        this.log = log;
        this.worker = worker;
        this.secrets = secrets;
        this.json = json;
        this.clock = clock;
        this.lease = lease;
    }

    public Uni<Created> create(EndpointOwner owner, String url, List<String> events, String description, String scope) {
        String chosen = scope == null ? "user" : scope;
        if (!chosen.equals("user") && !chosen.equals("tenant")) {
            throw ProblemException.validation("scope", "must be user or tenant");
        }
        if (chosen.equals("tenant") && !owner.tenantAdmin()) {
            throw ProblemException.forbidden("TENANT_ADMIN_ONLY", "Only a tenant administrator can create the tenant's endpoints.");
        }
        if (url == null) {
            throw ProblemException.validation("url", "is required");
        }
        String[] subscribed = events(events);
        String text = description(description);
        UUID user = chosen.equals("user") ? owner.userId() : null;
        return checkedUrl(url).chain(checked -> {
            UUID id = UUID.randomUUID();
            String secret = Signatures.newSecret();
            OffsetDateTime now = now();
            return endpoints.pool().withTransaction(tx -> endpoints.lockAndCount(tx, owner.tenantId(), user).chain(count -> {
                if (count >= MAX_ENDPOINTS) {
                    throw ProblemException.unprocessable("WEBHOOK_LIMIT_REACHED",
                            "An owner can have at most " + MAX_ENDPOINTS + " endpoints; delete one first.").with("limit", MAX_ENDPOINTS);
                }
                return endpoints.insert(tx, id, owner.tenantId(), user, checked, text, subscribed, secrets.seal(secret, id), now);
            })).map(endpoint -> new Created(endpoint, secret));
        });
    }

    public Uni<Page<WebhookEndpoint>> list(EndpointOwner owner, PageRequest page) {
        return endpoints.count(owner).chain(total -> endpoints.page(owner, page).map(rows -> Page.of(rows, page, total)));
    }

    public Uni<WebhookEndpoint> get(EndpointOwner owner, UUID id) {
        return endpoints.find(owner, id).map(found -> found.orElseThrow(WebhookService::noEndpoint));
    }

    public Uni<WebhookEndpoint> update(EndpointOwner owner, UUID id, String url, List<String> events, String description,
                                      Boolean active, boolean hasBody) {
        return get(owner, id).chain(existing -> {
            if (!hasBody) {
                throw ProblemException.validation("url", "nothing to change");
            }
            String[] subscribed = events == null ? null : events(events);
            String text = description == null ? null : description(description);
            Uni<String> checked = url == null ? Uni.createFrom().nullItem() : checkedUrl(url);
            return checked.chain(newUrl -> endpoints.update(owner, id, newUrl, subscribed, text, active, now()))
                    .map(updated -> updated.orElseThrow(WebhookService::noEndpoint))
                    .call(updated -> Boolean.FALSE.equals(active) ? endpoints.failQueued(id, now()) : Uni.createFrom().voidItem());
        });
    }

    public Uni<Void> delete(EndpointOwner owner, UUID id) {
        return endpoints.delete(owner, id).map(deleted -> {
            if (!deleted) {
                throw noEndpoint();
            }
            return null;
        });
    }

    /** A signed test event sent now, kept in the delivery history like any other attempt. */
    public Uni<Tested> test(EndpointOwner owner, UUID id, String eventType) {
        String type = eventType == null ? EventCatalogue.TEST : eventType;
        return get(owner, id).chain(endpoint -> {
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
            return endpoints.insertClaimed(message, owner.tenantId(), endpoint.userId(), type, payload, delivery, id, now,
                            now.plus(lease), leaseId)
                    .chain(() -> endpoints.secrets(id, now))
                    .chain(sealed -> Offload.compute(() -> {
                        Instant at = clock.instant();
                        WebhookSender.Outcome outcome = sender.send(new WebhookSender.Request(endpoint.url(),
                                DeliveryWorker.messageId(message), payload, secrets.open(sealed.current(), id),
                                secrets.open(sealed.previous(), id)));
                        log.record(delivery, leaseId, 1, false, outcome, at);
                        return new Tested(outcome, delivery);
                    }));
        });
    }

    public Uni<Page<Delivery>> deliveries(EndpointOwner owner, UUID id, String status, String eventType, PageRequest page) {
        return get(owner, id).chain(endpoint -> {
            if (status != null && !STATUSES.contains(status)) {
                throw ProblemException.validation("status", "must be one of pending, retrying, succeeded, failed");
            }
            return endpoints.countDeliveries(id, status, eventType);
        }).chain(total -> endpoints.deliveries(id, status, eventType, page).map(rows -> Page.of(rows, page, total)));
    }

    public Uni<DeliveryDetail> delivery(EndpointOwner owner, UUID id, UUID deliveryId) {
        return get(owner, id).chain(endpoint -> endpoints.delivery(id, deliveryId))
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("webhook delivery")))
                .chain(found -> endpoints.attempts(deliveryId)
                        .map(attempts -> new DeliveryDetail(found.delivery(), found.payload(), attempts)));
    }

    /** The same message (same webhook-id and body) queued to the endpoint again. */
    public Uni<Delivery> redeliver(EndpointOwner owner, UUID id, UUID deliveryId) {
        return get(owner, id).chain(endpoint -> endpoints.delivery(id, deliveryId).map(found -> {
            if (found.isEmpty()) {
                throw ProblemException.notFound("webhook delivery");
            }
            if (!endpoint.active()) {
                throw ProblemException.conflict("ENDPOINT_DISABLED", "The endpoint is disabled; re-enable it before redelivering.");
            }
            return found.get().delivery();
        })).chain(original -> endpoints.requeue(id, original.messageId(), original.eventType(), now()))
                .invoke(worker::nudge);
    }

    /** The user's signer of requests' own webhooks and its secret (created on first use). */
    public record RequestSigner(UUID id, String secret) {
    }

    public Uni<RequestSigner> requestSigner(EndpointOwner owner) {
        UUID candidate = UUID.randomUUID();
        return endpoints.pool().withTransaction(tx -> endpoints.requestSigner(tx, candidate, owner.tenantId(), owner.userId(),
                        secrets.seal(Signatures.newSecret(), candidate), now()))
                .chain(id -> endpoints.secrets(id, now()).map(sealed -> new RequestSigner(id, secrets.open(sealed.current(), id))));
    }

    /** A new secret; the previous one keeps signing beside it (two signatures) until the grace ends. */
    public Uni<Rotated> rotate(EndpointOwner owner, UUID id, Long expirePreviousInSeconds) {
        long grace = expirePreviousInSeconds == null ? DEFAULT_GRACE_SECONDS : expirePreviousInSeconds;
        return get(owner, id).chain(endpoint -> {
            if (grace < 0 || grace > MAX_GRACE.toSeconds()) {
                throw ProblemException.validation("expire_previous_in_seconds", "must be between 0 and " + MAX_GRACE.toSeconds());
            }
            String secret = Signatures.newSecret();
            OffsetDateTime until = now().plusSeconds(grace);
            return endpoints.rotate(id, secrets.seal(secret, id), grace > 0, until, now())
                    .map(done -> new Rotated(secret, grace > 0 ? until.toInstant() : null));
        });
    }

    private Uni<String> checkedUrl(String url) {
        return Offload.compute(() -> guard.check(url).uri().toString());
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

    private static ProblemException noEndpoint() {
        return ProblemException.notFound("webhook endpoint");
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
