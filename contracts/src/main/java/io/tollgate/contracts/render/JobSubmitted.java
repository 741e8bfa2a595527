package io.tollgate.contracts.render;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A render job was accepted: its hold is placed and it waits in the queue. */
@EventType(value = JobSubmitted.TYPE, topic = "render.events")
public record JobSubmitted(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("hold_id") UUID holdId,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("estimated_cost_minor") long estimatedCostMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("api_key_id") UUID apiKeyId,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.render.job.submitted.v1";
}
