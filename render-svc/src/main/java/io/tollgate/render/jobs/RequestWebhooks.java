package io.tollgate.render.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobWebhook;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's own webhook ({@code webhook_url} and {@code webhook_events_filter} on submit): render
 * decides when one is due and writes {@code job.webhook} through the outbox in the transaction of
 * the change it reports; notification-svc signs and delivers it with its Standard Webhooks pipeline
 * and SSRF rules. {@code output} and {@code logs} are sent at most once per 500 ms per request.
 */
@ApplicationScoped
public class RequestWebhooks {

    public static final String START = "start";
    public static final String OUTPUT = "output";
    public static final String LOGS = "logs";
    public static final String COMPLETED = "completed";
    static final List<String> EVENTS = List.of(START, OUTPUT, LOGS, COMPLETED);
    static final long THROTTLE_MILLIS = 500;

    /** What a submit asked for. */
    public record Requested(String url, List<String> events) {
    }

    private final JobRepository jobs;
    private final JobViews views;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final Clock clock;
    private final boolean allowHttp;

    public RequestWebhooks(JobRepository jobs, JobViews views, Outbox outbox, ObjectMapper json, Clock clock,
                           @ConfigProperty(name = "tollgate.render.webhooks.allow-http", defaultValue = "false") boolean allowHttp) {
        this.jobs = jobs;
        this.views = views;
        this.outbox = outbox;
        this.json = json;
        this.clock = clock;
        this.allowHttp = allowHttp;
    }

    /**
     * Takes {@code webhook_url} and {@code webhook_events_filter} out of a submit's body (they are
     * not model input) and checks them: 422 with the field for a bad one. The default filter is
     * {@code ["completed"]}.
     */
    public Requested take(ObjectNode body) {
        JsonNode url = body.remove("webhook_url");
        JsonNode filter = body.remove("webhook_events_filter");
        if (url == null || url.isNull()) {
            if (filter != null && !filter.isNull()) {
                throw invalid("webhook_events_filter", "needs a webhook_url", "REQUIRES_WEBHOOK_URL");
            }
            return null;
        }
        if (!url.isTextual() || url.asText().length() > 2048) {
            throw invalid("webhook_url", "must be an absolute https URL of at most 2048 characters", "INVALID_URL");
        }
        try {
            URI uri = new URI(url.asText());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!(scheme.equals("https") || (allowHttp && scheme.equals("http"))) || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw invalid("webhook_url", "must be an absolute " + (allowHttp ? "http or https" : "https")
                        + " URL without credentials or fragment", "INVALID_URL");
            }
        } catch (URISyntaxException e) {
            throw invalid("webhook_url", "is not a URL", "INVALID_URL");
        }
        Set<String> events = new LinkedHashSet<>();
        if (filter == null || filter.isNull()) {
            events.add(COMPLETED);
        } else if (!filter.isArray() || filter.isEmpty()) {
            throw invalid("webhook_events_filter", "must be a non-empty list of " + String.join(", ", EVENTS), "INVALID_FILTER");
        } else {
            for (JsonNode e : filter) {
                if (!e.isTextual() || !EVENTS.contains(e.asText())) {
                    throw invalid("webhook_events_filter", "takes only " + String.join(", ", EVENTS), "INVALID_FILTER");
                }
                events.add(e.asText());
            }
        }
        return new Requested(url.asText(), List.copyOf(events));
    }

    private static ProblemException invalid(String field, String message, String code) {
        return new ProblemException(422, "INVALID_INPUT", "Invalid input", "The request's webhook settings are not valid.",
                List.of(new Problem.FieldError(field, message, code)), Map.of(), Map.of());
    }

    /**
     * Writes the request's {@code event} webhook in {@code tx} if it asked for it; {@code data} is
     * the job as {@code tx} sees it (status, progress, logs, and the output once there is one).
     */
    public Uni<Void> due(SqlClient tx, Job job, String event) {
        if (!job.wantsWebhook(event)) {
            return Uni.createFrom().voidItem();
        }
        return jobs.find(tx, job.id()).chain(found -> {
            Job now = found.orElseThrow();
            return jobs.logs(tx, job.id()).chain(logs -> {
                ObjectNode data = json.valueToTree(views.status(now, null, logs));
                if (now.output() != null) {
                    JobViews.Result result = views.result(now, null);
                    data.set("output", json.valueToTree(result.output()));
                    data.put("cost_minor", result.costMinor());
                    data.put("currency", result.currency());
                }
                return outbox.append(tx, job.id().toString(), "jobs/" + job.id(), new JobWebhook(job.userId(), job.tenantId(),
                        job.id().toString(), job.modelId(), job.webhookUrl(), event, data, clock.instant()));
            });
        }).replaceWithVoid();
    }

    /** All of {@code events} that the job asked for, in order, in {@code tx}. */
    public Uni<Void> dueAll(SqlClient tx, Job job, String... events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String event : events) {
            chain = chain.chain(() -> due(tx, job, event));
        }
        return chain;
    }

    /** Whether a throttled event ({@code output}, {@code logs}) may go now, given when the last one went. */
    static boolean throttleAllows(long lastSentMillis, long nowMillis) {
        return nowMillis - lastSentMillis >= THROTTLE_MILLIS;
    }
}
