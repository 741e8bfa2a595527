package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.callbacks.CallbackSignals;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.pricing.Pricing;
import io.tollgate.render.providers.ProviderService;
import io.tollgate.render.providers.ProviderService.Endpoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A model served by a remote fal-style queue. The job's request is submitted once: its id at the
 * provider is recorded on the job before anything waits on it, so a retried attempt (its worker
 * died, its lease lapsed) resumes polling that request instead of submitting and paying for a
 * second. The status is polled until the request ends, its logs copied to the job's; the outputs
 * ({@code images[]}, {@code video}, {@code audio}) are downloaded, checked (an image must decode to
 * the size it claims) and re-hosted as our assets. What is charged is what came back, never more
 * than was held.
 *
 * <p>A provider that signs completion callbacks (its {@code callback_jwks_url} is set) is given our
 * callback address on submit; the worker then asks for the status when the verified callback wakes
 * it, and otherwise only every {@code callback-poll} (a lost callback costs that much, not the job).
 *
 * <p>Failures: a provider that cannot be reached or is overloaded fails the attempt as retryable
 * (the job goes back to the queue while it has attempts); a refused input or key, or a request the
 * provider ended with an error (it retries its own infrastructure failures first), fails the job
 * at once.
 */
@ApplicationScoped
public class FalQueueRenderer implements Renderer {

    private static final BigDecimal MEGAPIXEL = BigDecimal.valueOf(1_000_000);

    private final ProviderService providers;
    private final FalQueueClient client;
    private final Pricing pricing;
    private final CallbackSignals signals;
    private final Duration poll;
    private final Duration callbackPoll;
    private final Duration maxWait;
    private final Provider<String> callbackBase;

    public FalQueueRenderer(ProviderService providers, FalQueueClient client, Pricing pricing, CallbackSignals signals,
                            @ConfigProperty(name = "tollgate.render.remote.poll", defaultValue = "PT0.5S") Duration poll,
                            @ConfigProperty(name = "tollgate.render.remote.callback-poll", defaultValue = "PT10S") Duration callbackPoll,
                            @ConfigProperty(name = "tollgate.render.remote.max-wait", defaultValue = "PT15M") Duration maxWait,
                            @ConfigProperty(name = "tollgate.render.callbacks.base-url") Provider<String> callbackBase) {
        this.providers = providers;
        this.client = client;
        this.pricing = pricing;
        this.signals = signals;
        this.poll = poll;
        this.callbackPoll = callbackPoll;
        this.maxWait = maxWait;
        this.callbackBase = callbackBase;
    }

    @Override
    public String name() {
        return "fal-queue";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) throws Exception {
        Endpoint endpoint = providers.remote(model.provider()).await().atMost(Duration.ofSeconds(10))
                .orElseThrow(() -> new Failed("provider_not_configured", "provider " + model.provider() + " is not configured or is disabled",
                        false));
        String remoteModel = model.providerModel() == null ? model.modelId() : model.providerModel();
        try {
            String requestId = progress.providerRequest().orElse(null);
            if (requestId == null) {
                String webhook = endpoint.callsBack()
                        ? callbackBase.get().replaceAll("/+$", "") + "/v1/render/callbacks/" + URLEncoder.encode(endpoint.name(), StandardCharsets.UTF_8) : null;
                requestId = client.submit(endpoint, remoteModel, input.toString(), "tollgate-job:" + progress.jobId(), webhook).requestId();
                progress.providerRequest(requestId);
                progress.log("info", "queued at provider " + endpoint.name() + " as " + requestId);
            } else {
                progress.log("info", "resuming request " + requestId + " at provider " + endpoint.name());
            }
            await(endpoint, remoteModel, requestId, progress);
            JsonNode result = client.result(endpoint, remoteModel, requestId);
            List<File> files = outputs(result);
            if (files.isEmpty()) {
                throw new Failed("provider_error", "the provider's result has no output file", false);
            }
            progress.step(1, 1, "re-hosted " + files.size() + " file(s)");
            return new Rendered(files, quantity(model, input, files));
        } catch (CircuitBreakerOpenException e) {
            throw new Failed("provider_unavailable", "provider " + endpoint.name() + " is failing; calls are paused", true);
        } catch (FalQueueClient.Unavailable | IOException | TimeoutException e) {
            throw new Failed("provider_unavailable", "provider " + endpoint.name() + " is unavailable: " + e.getMessage(), true);
        }
    }

    private void await(Endpoint endpoint, String model, String requestId, Progress progress) throws Exception {
        try (CallbackSignals.Waiter waiter = signals.register(requestId)) {
            await(endpoint, model, requestId, progress, waiter);
        }
    }

    private void await(Endpoint endpoint, String model, String requestId, Progress progress, CallbackSignals.Waiter waiter)
            throws Exception {
        long deadline = System.nanoTime() + maxWait.toNanos();
        int logged = 0;
        // a cancel is seen within one heartbeat, so a worker waiting for a callback still wakes that often to look
        Duration interval = endpoint.callsBack() ? callbackPoll : poll;
        while (true) {
            if (progress.cancelled()) {
                throw new Cancelled();
            }
            FalQueueClient.Status status = client.status(endpoint, model, requestId);
            if (status.logs().isArray()) {
                for (int i = logged; i < status.logs().size(); i++) {
                    JsonNode line = status.logs().get(i);
                    progress.log(line.path("level").asText("info").toLowerCase(Locale.ROOT), "provider: " + line.path("message").asText());
                }
                logged = Math.max(logged, status.logs().size());
            }
            switch (status.status()) {
                case "IN_QUEUE" -> progress.step(0, 1, "in the provider's queue");
                case "IN_PROGRESS" -> progress.step(0, 1, "running at the provider");
                case "COMPLETED" -> {
                    if (status.error() != null) {
                        throw new Failed(status.errorType() == null ? "provider_error" : status.errorType(), status.error(), false);
                    }
                    return;
                }
                case "CANCELLED" -> throw new Failed("provider_cancelled", "the provider cancelled the request", false);
                default -> throw new FalQueueClient.Unavailable("the provider reported status '" + status.status() + "'");
            }
            if (System.nanoTime() > deadline) {
                throw new Failed("provider_timeout", "the provider did not finish within " + maxWait.toMinutes() + " min", false);
            }
            long slept = 0;
            while (slept < interval.toMillis() && !progress.cancelled()) {
                long step = Math.min(interval.toMillis() - slept, 1_000);
                if (waiter.await(Duration.ofMillis(step))) {
                    break;
                }
                slept += step;
            }
        }
    }

    private List<File> outputs(JsonNode result) throws Exception {
        List<File> files = new ArrayList<>();
        for (JsonNode image : result.path("images")) {
            files.add(image(image));
        }
        for (String kind : List.of("image", "video", "audio")) {
            JsonNode one = result.path(kind);
            if (one.isObject() && one.hasNonNull("url")) {
                files.add(kind.equals("image") ? image(one) : media(one, kind));
            }
        }
        return files;
    }

    private File image(JsonNode described) throws Exception {
        FalQueueClient.Downloaded file = client.download(described.path("url").asText());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(file.bytes()));
        if (decoded == null) {
            throw new Failed("provider_error", "an output image does not decode", false);
        }
        if ((described.has("width") && described.path("width").asInt() != decoded.getWidth())
                || (described.has("height") && described.path("height").asInt() != decoded.getHeight())) {
            throw new Failed("provider_error", "an output image is not the size the provider reported", false);
        }
        String type = described.path("content_type").asText(file.contentType());
        if (!type.startsWith("image/")) {
            throw new Failed("provider_error", "an output image has type " + type, false);
        }
        return new File(file.bytes(), type, decoded.getWidth(), decoded.getHeight(), null);
    }

    private File media(JsonNode described, String kind) throws Exception {
        FalQueueClient.Downloaded file = client.download(described.path("url").asText());
        String type = described.path("content_type").asText(file.contentType());
        if (!type.startsWith(kind + "/")) {
            throw new Failed("provider_error", "an output " + kind + " has type " + type, false);
        }
        Integer durationMs = described.has("duration") ? (int) Math.round(described.path("duration").asDouble() * 1000) : null;
        return new File(file.bytes(), type, described.has("width") ? described.path("width").asInt() : null,
                described.has("height") ? described.path("height").asInt() : null, durationMs);
    }

    /** What came back, in the model's price unit; where the output does not say (steps, flat), what was asked. */
    BigDecimal quantity(Model model, ObjectNode input, List<File> files) {
        return switch (model.priceUnit()) {
            case "images" -> BigDecimal.valueOf(files.stream().filter(f -> f.contentType().startsWith("image/")).count());
            case "megapixels" -> BigDecimal.valueOf(files.stream().filter(f -> f.width() != null && f.height() != null)
                    .mapToLong(f -> (long) f.width() * f.height()).sum()).divide(MEGAPIXEL, 6, RoundingMode.UP);
            case "seconds" -> files.stream().allMatch(f -> f.durationMs() == null) ? pricing.quantity(model, input)
                    : BigDecimal.valueOf(files.stream().filter(f -> f.durationMs() != null).mapToLong(File::durationMs).sum())
                    .divide(BigDecimal.valueOf(1000), 3, RoundingMode.UP);
            default -> pricing.quantity(model, input);
        };
    }
}
