package io.tollgate.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.tollgate.gateway.routing.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.util.TypeLiteral;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's own calls to identity's internal API, with a service token obtained by client
 * credentials and reused until shortly before it expires.
 *
 * <p>Every call runs under one SmallRye Fault Tolerance guard: a total deadline
 * ({@code tollgate.gateway.identity.timeout}; Vert.x's request timeout is only an idle timeout, so an
 * identity that answers a byte at a time would otherwise hold the caller for as long as it likes)
 * and a circuit breaker ({@code tollgate.gateway.identity.breaker.*}) that, once identity fails or
 * times out on half of the recent calls, answers at once for a while instead of piling more calls
 * onto it. A refusal below 500 (an unknown key, a banned user) is identity working and never
 * counts. No retry: an API key's exchange is answered 503 {@code AUTH_UNAVAILABLE} at once and the
 * client, which knows whether its request can be repeated, retries.
 */
@ApplicationScoped
public class IdentityClient {

    /** identity answered, but not with a 2xx: its status and problem document. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final JsonNode problem;

        Refused(int status, JsonNode problem) {
            super("identity answered " + status, null, false, false);
            this.status = status;
            this.problem = problem;
        }

        public int status() {
            return status;
        }

        public JsonNode problem() {
            return problem;
        }
    }

    private final Vertx vertx;
    private final ObjectMapper json;
    private final Clock clock;
    private final GatewayConfig config;
    private final String clientSecret;
    private HttpClient client;
    private volatile String serviceToken;
    private volatile long serviceTokenRenewAt;
    private Future<String> tokenInFlight;
    private final TypedGuard<CompletionStage<JsonNode>> guard;

    public IdentityClient(Vertx vertx, ObjectMapper json, Clock clock, GatewayConfig config,
                          @ConfigProperty(name = "tollgate.service.client-secret") String clientSecret,
                          @ConfigProperty(name = "tollgate.gateway.identity.timeout", defaultValue = "PT3S") Duration timeout,
                          @ConfigProperty(name = "tollgate.gateway.identity.breaker.request-volume", defaultValue = "20") int volume,
                          @ConfigProperty(name = "tollgate.gateway.identity.breaker.failure-ratio", defaultValue = "0.5") double ratio,
                          @ConfigProperty(name = "tollgate.gateway.identity.breaker.delay", defaultValue = "PT5S") Duration delay) {
        this.vertx = vertx;
        this.json = json;
        this.clock = clock;
        this.config = config;
        this.clientSecret = clientSecret;
        this.guard = TypedGuard.create(new TypeLiteral<CompletionStage<JsonNode>>() { })
                .withTimeout().duration(timeout.toMillis(), ChronoUnit.MILLIS).done()
                .withCircuitBreaker().name("gateway-identity").requestVolumeThreshold(volume).failureRatio(ratio)
                .delay(delay.toMillis(), ChronoUnit.MILLIS)
                .when(failure -> !(failure instanceof Refused refused && refused.status() < 500)).done()
                .build();
    }

    void start(@Observes StartupEvent event) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2_000),
                new PoolOptions().setHttp1MaxSize(32));
    }

    public Future<JsonNode> post(String path, Object body) {
        return token().compose(token -> call(HttpMethod.POST, path, body, token));
    }

    public Future<JsonNode> get(String path) {
        return token().compose(token -> call(HttpMethod.GET, path, null, token));
    }

    private synchronized Future<String> token() {
        if (serviceToken != null && clock.millis() < serviceTokenRenewAt) {
            return Future.succeededFuture(serviceToken);
        }
        if (tokenInFlight != null) {
            return tokenInFlight;
        }
        Future<String> fetch = call(HttpMethod.POST, "/internal/tokens",
                Map.of("client_id", "gateway", "client_secret", clientSecret), null).map(answer -> {
                    String token = answer.path("access_token").asText();
                    long ttl = answer.path("expires_in").asLong(60);
                    serviceTokenRenewAt = clock.millis() + Math.max(5, ttl - 60) * 1000;
                    serviceToken = token;
                    return token;
                });
        tokenInFlight = fetch;
        fetch.onComplete(r -> {
            synchronized (this) {
                tokenInFlight = null;
            }
        });
        return fetch;
    }

    /** One call under the guard, its answer handed back on the caller's Vert.x context (a timeout completes on the guard's timer). */
    private Future<JsonNode> call(HttpMethod method, String path, Object body, String bearer) {
        var context = vertx.getOrCreateContext();
        var request = new AtomicReference<HttpClientRequest>();
        return Future.fromCompletionStage(guard.get(() -> send(method, path, body, bearer, request).toCompletionStage()), context)
                .onFailure(failure -> {
                    // past the deadline the request is abandoned: its connection is reset, not left to trickle on
                    var started = request.get();
                    if (failure instanceof TimeoutException && started != null) {
                        started.reset();
                    }
                });
    }

    private Future<JsonNode> send(HttpMethod method, String path, Object body, String bearer,
                                  AtomicReference<HttpClientRequest> started) {
        GatewayConfig.Upstream identity = config.upstreams().get("identity");
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(identity.url() + path)
                .setTimeout(5_000).putHeader("Accept", "application/json");
        if (bearer != null) {
            options.putHeader("Authorization", "Bearer " + bearer);
        }
        Buffer payload;
        try {
            payload = body == null ? null : Buffer.buffer(json.writeValueAsBytes(body));
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
        if (payload != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return client.request(options)
                .compose(req -> {
                    started.set(req);
                    return payload == null ? req.send() : req.send(payload);
                })
                .compose(resp -> resp.body().map(bytes -> {
                    JsonNode answer;
                    try {
                        answer = bytes.length() == 0 ? json.createObjectNode() : json.readTree(bytes.getBytes());
                    } catch (Exception e) {
                        answer = json.createObjectNode();
                    }
                    if (resp.statusCode() / 100 != 2) {
                        if (resp.statusCode() == 401 && bearer != null) {
                            synchronized (this) {
                                serviceToken = null;
                            }
                        }
                        throw new Refused(resp.statusCode(), answer);
                    }
                    return answer;
                }));
    }
}
