package io.tollgate.contracts.render;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * A request's own webhook is due: its {@code webhook_url} asked for {@code event} (start, output,
 * logs or completed). notification-svc signs and delivers it; {@code data} is the request's state.
 */
@EventType(value = JobWebhook.TYPE, topic = "render.events")
public record JobWebhook(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("webhook_url") String webhookUrl,
        @JsonProperty("event") String event,
        @JsonProperty("data") JsonNode data,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.render.job.webhook.v1";
}
