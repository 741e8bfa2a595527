package io.tollgate.contracts.render;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;

/** Work for the render workers: a job waits (again, after a lost worker). Only a wake-up: the job's row in render-svc is the truth. */
@EventType(value = JobQueued.TYPE, topic = "render.jobs")
public record JobQueued(
        @JsonProperty("job_id") String jobId,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("priority") int priority,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.render.job.queued.v1";
}
