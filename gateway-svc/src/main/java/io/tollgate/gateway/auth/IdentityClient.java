package io.tollgate.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.gateway.routing.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.util.Map;

/**
 * The gateway's own calls to identity's internal API, with a service token obtained by client
 * credentials and reused until shortly before it expires.
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

    public IdentityClient(Vertx vertx, ObjectMapper json, Clock clock, GatewayConfig config,
                          @ConfigProperty(name = "tollgate.service.client-secret") String clientSecret) {
        this.vertx = vertx;
        this.json = json;
        this.clock = clock;
        this.config = config;
        this.clientSecret = clientSecret;
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

    private Future<JsonNode> call(HttpMethod method, String path, Object body, String bearer) {
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
                .compose(req -> payload == null ? req.send() : req.send(payload))
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
