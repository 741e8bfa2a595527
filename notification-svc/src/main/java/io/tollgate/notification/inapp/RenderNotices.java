package io.tollgate.notification.inapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.notification.Routing;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;

/** Render's events that the user should see in the bell: a job that failed (and cost nothing). */
@ApplicationScoped
public class RenderNotices implements EventHandler {

    private final ObjectMapper json;
    private final NotificationRepository notifications;
    private final Clock clock;

    public RenderNotices(ObjectMapper json, NotificationRepository notifications, Clock clock) {
        this.json = json;
        this.notifications = notifications;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "notification.render";
    }

    @Override
    public Set<String> topics() {
        return Set.of("render.events");
    }

    @Override
    public boolean accepts(String type) {
        return JobFailed.TYPE.equals(type) && Routing.routes(type, Routing.Channel.IN_APP);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        JsonNode data;
        try {
            data = json.readTree(event.data());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String model = data.path("model_id").asText("");
        String job = data.path("job_id").asText();
        String title = model.isEmpty() ? "Render job failed" : "Render job on " + model + " failed";
        String body = "Job " + job + " failed: " + data.path("reason").asText("unknown error")
                + ". Its hold was released; nothing was charged.";
        return notifications.insert(tx, new Notification(UUID.randomUUID(), UUID.fromString(data.path("user_id").asText()),
                UUID.fromString(data.path("tenant_id").asText()), "render", "error", title, body,
                model.isEmpty() ? "/v1/jobs?status=FAILED" : "/v1/queue/" + model + "/requests/" + job + "/status", "View job",
                event.id(), null, event.time() != null ? event.time().toInstant() : clock.instant()));
    }
}
