package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.faulttolerance.api.Guard;
import io.tollgate.render.providers.ProviderService.Endpoint;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The calls of a fal-style queue: submit ({@code POST <base>/<model>}), status and result
 * ({@code <base>/<model>/requests/<id>[/status]}), each with {@code Authorization: Key <key>}, and
 * the download of an output file. What may pass (a connection error, 429, 502, 503, 504) is
 * retried with exponential backoff and counts towards a circuit breaker; an answer that will not
 * change on a retry (a refused key, a refused input, a failed request) is a {@link Renderer.Failed}
 * at once. These are blocking calls, made on the worker's virtual thread.
 */
@ApplicationScoped
public class FalQueueClient {

    /** The provider's answer to a submit. */
    public record Submitted(String requestId) {
    }

    /** A request's state at the provider; {@code error} set when it ended without a result. */
    public record Status(String status, JsonNode logs, String error, String errorType) {
    }

    /** An answer that may differ on a retry. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final ConcurrentMap<String, Guard> breakers = new ConcurrentHashMap<>();
    private final int breakerVolume;
    private final double breakerRatio;
    private final Duration breakerDelay;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json;
    private final long maxDownloadBytes;

    public FalQueueClient(ObjectMapper json,
                          @ConfigProperty(name = "tollgate.render.remote.max-download-bytes", defaultValue = "104857600") long maxDownloadBytes,
                          @ConfigProperty(name = "tollgate.render.remote.breaker.request-volume", defaultValue = "20") int breakerVolume,
                          @ConfigProperty(name = "tollgate.render.remote.breaker.failure-ratio", defaultValue = "0.5") double breakerRatio,
                          @ConfigProperty(name = "tollgate.render.remote.breaker.delay", defaultValue = "PT10S") Duration breakerDelay) {
        this.json = json;
        this.maxDownloadBytes = maxDownloadBytes;
        this.breakerVolume = breakerVolume;
        this.breakerRatio = breakerRatio;
        this.breakerDelay = breakerDelay;
    }

    /**
     * A call through its provider's own circuit breaker: one provider that stops answering opens its
     * breaker (later calls fail at once with {@code CircuitBreakerOpenException}, and the job is
     * retried later) without pausing the calls to any other provider. Retries and timeouts are the
     * methods' annotations, around this.
     */
    @SuppressWarnings("unchecked")
    private <T> T guarded(Endpoint endpoint, Callable<T> call) throws IOException, InterruptedException {
        Guard guard = breakers.computeIfAbsent(endpoint.name(), name -> Guard.create()
                .withCircuitBreaker().requestVolumeThreshold(breakerVolume).failureRatio(breakerRatio)
                .delay(breakerDelay.toMillis(), ChronoUnit.MILLIS).failOn(List.of(Unavailable.class, IOException.class))
                .name("render-provider-" + name).done()
                .build());
        try {
            return guard.call(call, (Class<T>) Object.class);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, maxDuration = 30, durationUnit = ChronoUnit.SECONDS,
            retryOn = {Unavailable.class, IOException.class})
    @ExponentialBackoff(maxDelay = 5, maxDelayUnit = ChronoUnit.SECONDS)
    public Submitted submit(Endpoint endpoint, String model, String input, String idempotencyKey, String webhookUrl)
            throws IOException, InterruptedException {
        String url = endpoint.baseUrl() + "/" + model
                + (webhookUrl == null ? "" : "?fal_webhook=" + URLEncoder.encode(webhookUrl, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Key " + endpoint.apiKey()).header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(input)).build();
        JsonNode body = guarded(endpoint, () -> answer(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), "submit"));
        String id = body.path("request_id").asText("");
        if (id.isBlank() || id.length() > 200) {
            throw new Unavailable("the provider's submit answer has no request_id");
        }
        return new Submitted(id);
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, maxDuration = 30, durationUnit = ChronoUnit.SECONDS,
            retryOn = {Unavailable.class, IOException.class})
    @ExponentialBackoff(maxDelay = 5, maxDelayUnit = ChronoUnit.SECONDS)
    public Status status(Endpoint endpoint, String model, String requestId) throws IOException, InterruptedException {
        JsonNode body = guarded(endpoint, () -> answer(http.send(get(endpoint, requestUrl(endpoint, model, requestId) + "/status?logs=1"),
                HttpResponse.BodyHandlers.ofByteArray()), "status"));
        JsonNode error = body.path("error");
        return new Status(body.path("status").asText(""), body.path("logs"), error.isMissingNode() || error.isNull() ? null
                : error.isTextual() ? error.asText() : error.toString(), body.path("error_type").asText(null));
    }

    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, maxDuration = 60, durationUnit = ChronoUnit.SECONDS,
            retryOn = {Unavailable.class, IOException.class})
    @ExponentialBackoff(maxDelay = 5, maxDelayUnit = ChronoUnit.SECONDS)
    public JsonNode result(Endpoint endpoint, String model, String requestId) throws IOException, InterruptedException {
        return guarded(endpoint, () -> answer(http.send(get(endpoint, requestUrl(endpoint, model, requestId)),
                HttpResponse.BodyHandlers.ofByteArray()), "result"));
    }

    /** An output file, at most {@code tollgate.render.remote.max-download-bytes}; the provider's own URL, not followed elsewhere. */
    @Timeout(value = 120, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 3, delay = 200, jitter = 100, retryOn = {Unavailable.class, IOException.class})
    @ExponentialBackoff(maxDelay = 5, maxDelayUnit = ChronoUnit.SECONDS)
    public Downloaded download(String url) throws IOException, InterruptedException {
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new Renderer.Failed("provider_error", "the provider named an output that is not an http(s) URL", false);
        }
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (retryable(status)) {
                throw new Unavailable("downloading an output answered HTTP " + status);
            }
            if (status != 200) {
                throw new Renderer.Failed("provider_error", "downloading an output answered HTTP " + status, false);
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxDownloadBytes) {
                throw new Renderer.Failed("output_too_large", "an output is larger than " + maxDownloadBytes + " bytes", false);
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxDownloadBytes + 1));
            if (bytes.length > maxDownloadBytes) {
                throw new Renderer.Failed("output_too_large", "an output is larger than " + maxDownloadBytes + " bytes", false);
            }
            return new Downloaded(bytes, response.headers().firstValue("Content-Type").orElse("application/octet-stream"));
        }
    }

    /** A downloaded output with the type its server gave. */
    public record Downloaded(byte[] bytes, String contentType) {
    }

    private static String requestUrl(Endpoint endpoint, String model, String requestId) {
        return endpoint.baseUrl() + "/" + model + "/requests/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8);
    }

    private static HttpRequest get(Endpoint endpoint, String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("Authorization", "Key " + endpoint.apiKey())
                .GET().build();
    }

    private JsonNode answer(HttpResponse<byte[]> response, String call) {
        int status = response.statusCode();
        if (retryable(status)) {
            throw new Unavailable("the provider's " + call + " answered HTTP " + status);
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (status >= 200 && status < 300) {
            if (body == null || !body.isObject()) {
                throw new Unavailable("the provider's " + call + " answer is not a JSON object");
            }
            return body;
        }
        String type = response.headers().firstValue("X-Fal-Error-Type")
                .orElse(body == null ? null : body.path("error_type").asText(null));
        String detail = body == null ? null : body.path("detail").isTextual() ? body.path("detail").asText() : body.path("detail").toString();
        if (status == 401 || status == 403) {
            throw new Renderer.Failed("provider_unauthorized", "the provider refused our key (HTTP " + status + ")", false);
        }
        if (status == 422 || status == 400) {
            throw new Renderer.Failed("input_rejected", "the provider refused the input: " + clip(detail), false);
        }
        throw new Renderer.Failed(type == null ? "provider_error" : clip(type), "the provider's " + call + " failed (HTTP " + status
                + (detail == null ? ")" : "): " + clip(detail)), false);
    }

    private static boolean retryable(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    private static String clip(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > 300 ? text.substring(0, 300) : text;
    }
}
