package io.tollgate.notification.webhooks;

import io.quarkus.runtime.ShutdownEvent;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One signed POST to a receiver. The URL is checked again before every attempt and the request
 * goes to the address that was checked (the host name only names it in {@code Host} and TLS SNI);
 * redirects are not followed; at most the first KiB of the answer is kept. Blocking: call it from
 * a virtual thread.
 */
@ApplicationScoped
public class WebhookSender {

    public static final int KEPT_BODY_BYTES = 1024;

    /** What came back: a status (null when no answer), the start of the body, how long, what went wrong. */
    public record Outcome(Integer statusCode, String body, int durationMs, String error, String retryAfter) {
        public boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    /** What to send. */
    public record Request(String url, String messageId, String body, String secret, String previousSecret) {
    }

    private final UrlGuard guard;
    private final Clock clock;
    private final HttpClient client;
    private final Duration timeout;

    public WebhookSender(UrlGuard guard, Clock clock, Vertx vertx,
                         @ConfigProperty(name = "tollgate.notification.webhooks.timeout", defaultValue = "15s") Duration timeout,
                         @ConfigProperty(name = "tollgate.notification.webhooks.max-connections-per-host", defaultValue = "32")
                         int maxConnections) {
        this.guard = guard;
        this.clock = clock;
        this.timeout = timeout;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        // a pooled connection is dropped after 4 s unused, before the receiver drops it:
                        // Node's and Apache's keep-alive is 5 s, the JDK's server's 30 s. One kept longer
                        // races the receiver's close, and the send written into a closing socket fails
                        // with no answer, counted as a failed attempt that the receiver never saw
                        .setKeepAliveTimeout(4)
                        .setConnectTimeout(5_000)
                        .setIdleTimeout(30)
                        .setForceSni(true)
                        .setVerifyHost(true)
                        .setMaxRedirects(0),
                new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(10_000));
    }

    void stop(@Observes ShutdownEvent event) {
        client.close();
    }

    public Outcome send(Request request) {
        long started = System.nanoTime();
        UrlGuard.Target target;
        try {
            target = guard.check(request.url());
        } catch (ProblemException refused) {
            return new Outcome(null, null, 0, "refused: " + refused.toProblem().detail(), null);
        }
        long timestamp = Instant.now(clock).getEpochSecond();
        String signature = Signatures.header(request.messageId(), timestamp, request.body(), request.secret(), request.previousSecret());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(target.requestUri())
                .setFollowRedirects(false)
                .setTimeout(timeout.toMillis())
                .putHeader("content-type", "application/json")
                .putHeader("user-agent", "Tollgate-Webhooks/1.0")
                .putHeader("webhook-id", request.messageId())
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", signature);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        client.request(options)
                .compose(req -> req.send(request.body()))
                .onSuccess(response -> read(response, started, result))
                .onFailure(e -> result.complete(failure(started, e)));
        try {
            return result.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return failure(started, e);
        } catch (ExecutionException e) {
            return failure(started, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure(started, e);
        }
    }

    private static void read(HttpClientResponse response, long started, CompletableFuture<Outcome> result) {
        Buffer kept = Buffer.buffer();
        String retryAfter = response.getHeader("retry-after");
        response.handler(chunk -> {
            int room = KEPT_BODY_BYTES - kept.length();
            if (room > 0) {
                kept.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
            }
        });
        response.exceptionHandler(e -> result.complete(new Outcome(response.statusCode(), text(kept), millis(started),
                "answer cut short: " + message(e), retryAfter)));
        response.endHandler(done -> result.complete(new Outcome(response.statusCode(), text(kept), millis(started), null, retryAfter)));
    }

    private static Outcome failure(long started, Throwable e) {
        return new Outcome(null, null, millis(started), message(e), null);
    }

    private static String message(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return text.length() <= 500 ? text : text.substring(0, 500);
    }

    private static String text(Buffer buffer) {
        // a cut may split a multi-byte character; the decoder replaces the stray bytes
        return new String(buffer.getBytes(), StandardCharsets.UTF_8);
    }

    private static int millis(long started) {
        return (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
}
