package io.tollgate.contracts.render;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A render job failed; billing voids its hold so the customer pays nothing. */
@EventType(value = JobFailed.TYPE, topic = "render.events")
public record JobFailed(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("hold_id") UUID holdId,
        @JsonProperty("reason") String reason,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.render.job.failed.v1";
}
