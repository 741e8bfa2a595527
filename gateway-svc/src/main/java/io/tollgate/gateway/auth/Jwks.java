package io.tollgate.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * identity's signing keys, fetched from its JWKS, refreshed in the background, and refreshed once
 * more when a token names a key id we do not know (at most once per {@code min-refresh-interval},
 * so a flood of made-up key ids cannot hammer identity).
 */
@ApplicationScoped
public class Jwks {

    private static final Logger LOG = Logger.getLogger(Jwks.class);

    private final Vertx vertx;
    private final ObjectMapper json;
    private final RequestOptions request;
    private final Duration refreshEvery;
    private final Duration minRefreshInterval;
    private volatile Map<String, PublicKey> keys = Map.of();
    private volatile long lastFetchNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
    private Future<Void> inFlight;
    private HttpClient client;

    public Jwks(Vertx vertx, ObjectMapper json,
                @ConfigProperty(name = "tollgate.jwks-url", defaultValue = "http://127.0.0.1:8081/.well-known/jwks.json") String url,
                @ConfigProperty(name = "tollgate.gateway.jwks.refresh-every", defaultValue = "PT5M") Duration refreshEvery,
                @ConfigProperty(name = "tollgate.gateway.jwks.min-refresh-interval", defaultValue = "PT5S") Duration minRefreshInterval) {
        this.vertx = vertx;
        this.json = json;
        this.request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setTimeout(3_000)
                .putHeader("Accept", "application/json");
        this.refreshEvery = refreshEvery;
        this.minRefreshInterval = minRefreshInterval;
    }

    void start(@Observes StartupEvent event) {
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000));
        // Give the first fetch a moment so the gateway comes up ready when identity is already up.
        try {
            refresh().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.infof("JWKS not loaded at start (%s); retrying in the background", e.toString());
        }
        vertx.setPeriodic(refreshEvery.toMillis(), id -> refresh());
        // identity may start after the gateway: keep asking every 2 s until the first key set arrives
        vertx.setPeriodic(2_000, id -> {
            if (keys.isEmpty()) {
                refresh();
            } else {
                vertx.cancelTimer(id);
            }
        });
    }

    public boolean loaded() {
        return !keys.isEmpty();
    }

    /** The key for {@code kid}, or null when identity has not published it (as far as we know). */
    public PublicKey key(String kid) {
        return keys.get(kid);
    }

    /** Fetches the key set again unless that happened very recently; concurrent callers share one fetch. */
    public synchronized Future<Void> refreshIfStale() {
        if (System.nanoTime() - lastFetchNanos < minRefreshInterval.toNanos()) {
            return inFlight != null ? inFlight : Future.succeededFuture();
        }
        return refresh();
    }

    private synchronized Future<Void> refresh() {
        if (inFlight != null) {
            return inFlight;
        }
        lastFetchNanos = System.nanoTime();
        Promise<Void> done = Promise.promise();
        inFlight = done.future();
        client.request(request)
                .compose(req -> req.send().compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : Future.failedFuture("JWKS answered " + resp.statusCode())))
                .onComplete(result -> {
                    synchronized (this) {
                        inFlight = null;
                    }
                    if (result.succeeded()) {
                        try {
                            keys = parse(result.result());
                        } catch (Exception e) {
                            LOG.warnf("JWKS unreadable: %s", e.toString());
                        }
                    } else {
                        LOG.warnf("JWKS fetch failed: %s", result.cause().toString());
                    }
                    done.complete();
                });
        return done.future();
    }

    private Map<String, PublicKey> parse(Buffer body) throws Exception {
        JsonNode root = json.readTree(body.getBytes());
        Map<String, PublicKey> parsed = new HashMap<>();
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        for (JsonNode jwk : root.path("keys")) {
            if (!"RSA".equals(jwk.path("kty").asText()) || jwk.path("kid").asText().isEmpty()) {
                continue;
            }
            if (jwk.has("use") && !"sig".equals(jwk.path("use").asText())) {
                continue;
            }
            BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("n").asText()));
            BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("e").asText()));
            parsed.put(jwk.path("kid").asText(), rsa.generatePublic(new RSAPublicKeySpec(n, e)));
        }
        return Map.copyOf(parsed);
    }
}
