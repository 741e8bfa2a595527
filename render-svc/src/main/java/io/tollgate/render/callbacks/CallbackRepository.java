package io.tollgate.render.callbacks;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.UUID;

/** The jobs a verified callback names: marked, and their workers notified, in one statement. */
@ApplicationScoped
public class CallbackRepository {

    /** The job a callback was for, and its state when the callback arrived. */
    public record Marked(UUID jobId, String status) {
    }

    private final Pool pool;

    public CallbackRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Marks the job whose request at {@code provider} is {@code requestId} and notifies
     * {@value CallbackSignals#CHANNEL} (sent when the update commits); empty when no job has it.
     */
    public Uni<Optional<Marked>> mark(String provider, String requestId) {
        return pool.preparedQuery("with hit as (update jobs j set provider_callback_at = now() from models m"
                        + " where j.provider_request_id = $1 and m.model_id = j.model_id and m.provider = $2 returning j.id, j.status)"
                        + " select id, status, pg_notify('" + CallbackSignals.CHANNEL + "', $1) from hit")
                .execute(Tuple.of(requestId, provider))
                .map(rows -> {
                    for (Row row : rows) {
                        return Optional.of(new Marked(row.getUUID("id"), row.getString("status")));
                    }
                    return Optional.empty();
                });
    }
}
