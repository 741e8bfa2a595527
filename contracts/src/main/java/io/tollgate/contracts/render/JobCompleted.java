package io.tollgate.contracts.render;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A render job finished; billing captures its cost from the job's hold (the rest is released). */
@EventType(value = JobCompleted.TYPE, topic = "render.events")
public record JobCompleted(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("hold_id") UUID holdId,
        @JsonProperty("cost_minor") long costMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("api_key_id") UUID apiKeyId,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.render.job.completed.v1";
}
