package io.tollgate.render.jobs;

import io.tollgate.render.assets.AssetLinks;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** How jobs are shown: the queue's URLs, progress, logs and the result with signed links to its files. */
@ApplicationScoped
public class JobViews {

    public record Submitted(UUID requestId, String status, long queuePosition, String statusUrl, String responseUrl,
                            String cancelUrl, long estimatedCostMinor, String currency) {
    }

    public record Progress(int step, int total, int percent, String message) {
    }

    public record LogLine(Instant timestamp, String level, String message) {
    }

    public record Status(UUID requestId, String modelId, String status, Long queuePosition, Progress progress, List<LogLine> logs,
                         String error, Instant createdAt, Instant startedAt, Instant completedAt, Instant failedAt,
                         Instant cancelledAt, String statusUrl, String responseUrl, String cancelUrl) {
    }

    public record Image(String url, String contentType, Integer width, Integer height) {
    }

    public record Media(String url, String contentType, Integer durationMs) {
    }

    public record Output(List<Image> images, Media video, Media audio) {
    }

    public record Usage(BigDecimal quantity, String unit) {
    }

    public record Result(UUID requestId, String modelId, String status, Instant completedAt, Output output, Usage usage,
                         long costMinor, String currency) {
    }

    /** A row of the caller's job list. */
    public record Summary(UUID requestId, String modelId, String status, long estimatedCostMinor, Long costMinor, String currency,
                          UUID apiKeyId, Instant createdAt, Instant completedAt, String statusUrl) {
    }

    private final AssetLinks links;
    private final String base;

    public JobViews(AssetLinks links, @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String base) {
        this.links = links;
        this.base = base;
    }

    private String requestUrl(Job job) {
        return base + "/v1/queue/" + job.modelId() + "/requests/" + job.id();
    }

    public Submitted submitted(Job job, long position) {
        return new Submitted(job.id(), job.status(), position, requestUrl(job) + "/status", requestUrl(job), requestUrl(job) + "/cancel",
                job.estimatedCostMinor(), job.currency());
    }

    public Status status(Job job, Long position, List<Job.Log> logs) {
        JsonObject p = job.progress();
        Progress progress = p == null ? null : new Progress(p.getInteger("step", 0), p.getInteger("total", 0),
                p.getInteger("percent", 0), p.getString("message"));
        List<LogLine> lines = logs == null ? null : logs.stream().map(l -> new LogLine(l.timestamp(), l.level(), l.message())).toList();
        return new Status(job.id(), job.modelId(), job.status(), Job.IN_QUEUE.equals(job.status()) ? position : null, progress, lines,
                job.error(), job.createdAt(), job.startedAt(), job.completedAt(), job.failedAt(), job.cancelledAt(),
                requestUrl(job) + "/status", requestUrl(job), requestUrl(job) + "/cancel");
    }

    public Result result(Job job, String priceUnit) {
        List<Image> images = new ArrayList<>();
        Media video = null;
        Media audio = null;
        if (job.output() != null) {
            for (Object item : job.output().getJsonArray("files")) {
                JsonObject f = (JsonObject) item;
                String url = links.url(UUID.fromString(f.getString("asset_id")));
                String type = f.getString("content_type");
                if (type.startsWith("image/")) {
                    images.add(new Image(url, type, f.getInteger("width"), f.getInteger("height")));
                } else if (type.startsWith("video/")) {
                    video = new Media(url, type, f.getInteger("duration_ms"));
                } else if (type.startsWith("audio/")) {
                    audio = new Media(url, type, f.getInteger("duration_ms"));
                }
            }
        }
        return new Result(job.id(), job.modelId(), job.status(), job.completedAt(), new Output(images, video, audio),
                new Usage(job.quantity(), priceUnit), job.costMinor() == null ? 0 : job.costMinor(), job.currency());
    }

    public Summary summary(Job job) {
        return new Summary(job.id(), job.modelId(), job.status(), job.estimatedCostMinor(), job.costMinor(), job.currency(), job.apiKeyId(),
                job.createdAt(), job.completedAt(), requestUrl(job) + "/status");
    }
}
