package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobWebhook;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;

/**
 * Requests' own webhooks: render's {@code job.webhook} becomes one message and one delivery to the
 * request's {@code webhook_url}, signed with the user's request signer ({@code GET
 * /v1/webhooks/default/secret}), in the inbox's transaction. From there it is a delivery like any
 * other: the same worker, retries, SSRF check before every attempt and {@code webhook-id}. The
 * body is {@code {"type": "request.<event>", "timestamp", "data"}} with the request's state.
 */
@ApplicationScoped
public class RequestWebhookFanout implements EventHandler {

    private final WebhookRepository endpoints;
    private final WebhookSecrets secrets;
    private final ObjectMapper json;
    private final Clock clock;

    public RequestWebhookFanout(WebhookRepository endpoints, WebhookSecrets secrets, ObjectMapper json, Clock clock) {
        this.endpoints = endpoints;
        this.secrets = secrets;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "notification.request-webhooks";
    }

    @Override
    public Set<String> topics() {
        return Set.of("render.events");
    }

    @Override
    public boolean accepts(String type) {
        return JobWebhook.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        JobWebhook due = event.data(json, JobWebhook.class);
        String type = "request." + due.event();
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        String body = WebhookFanout.body(json, type, due.occurredAt().atOffset(ZoneOffset.UTC), due.data());
        UUID candidate = UUID.randomUUID();
        return endpoints.requestSigner(tx, candidate, due.tenantId(), due.userId(), secrets.seal(Signatures.newSecret(), candidate), now)
                .chain(signer -> endpoints.insertRequestDelivery(tx, signer, due.tenantId(), due.userId(), type, body, event.id(),
                        due.webhookUrl(), now));
    }
}
