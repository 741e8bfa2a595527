package io.tollgate.contracts.render;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A worker started a render job (attempt counts from 1). */
@EventType(value = JobStarted.TYPE, topic = "render.events")
public record JobStarted(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.render.job.started.v1";
}
