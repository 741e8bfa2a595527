package io.tollgate.gateway.routing;

import io.netty.channel.EventLoop;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.gateway.pipeline.UpstreamHeaders;
import io.tollgate.gateway.web.BodyLimit;
import io.tollgate.gateway.web.Problems;
import io.tollgate.kit.pages.PageHeaders;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Streams a request the gateway has admitted to the owning service and its answer back, body
 * untouched (so a payment provider's signed webhook arrives byte-exact). An upstream that refuses is
 * 502, one that is too slow is 504, both as problem+json.
 *
 * <p>The route's {@code timeout} is a total deadline from the moment the request is forwarded to
 * the head of the answer, kept by a timer of our own: an upstream that trickles bytes (which an
 * idle timeout would keep resetting) or never answers is cut there, and the 504 is decided by that
 * timer having fired, not by reading an exception's text. After the head, the answer streams under
 * the idle timeout only (Server-Sent Events, large downloads).
 */
@Singleton
public class ReverseProxy {

    private static final Logger LOG = Logger.getLogger(ReverseProxy.class);

    /** What the gateway decided about a request, and what the upstream is told. */
    /** {@code page}: a hosted page, whose answer always leaves with the page headers (the service's own, or ours where it sent none). */
    /** {@code headers}: writes what the upstream is told into the upstream request's own headers. */
    public record Forward(String upstream, String uri, String requestId, String traceparent, String clientIp,
                          Consumer<MultiMap> headers, long maxBodyBytes, boolean page) {
    }

    /** Connections one event loop may hold open to each upstream. */
    static final int CONNECTIONS_PER_EVENT_LOOP = 128;

    private final Vertx vertx;
    private final GatewayConfig config;
    private final Problems problems;
    /** One client per event loop: its pooled connections live on that loop, so a forward never changes thread. */
    private final Map<EventLoop, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, URI> bases = new ConcurrentHashMap<>();
    private HttpClient shared;

    public ReverseProxy(Vertx vertx, GatewayConfig config, Problems problems) {
        this.vertx = vertx;
        this.config = config;
        this.problems = problems;
    }

    void start(@Observes StartupEvent event) {
        shared = newClient();
        config.upstreams().forEach((name, upstream) -> bases.put(name, URI.create(upstream.url())));
    }

    /**
     * Keep-alive, no pipelining (one request per connection at a time, so a slow answer never holds
     * up another), {@code TCP_NODELAY}; the pool opens a connection on the event loop that asks for it.
     */
    private HttpClient newClient() {
        // not traced by itself: the request's server span is the upstream's parent (web.Trace sets the header)
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false).setTcpNoDelay(true)
                .setConnectTimeout(2_000).setTracingPolicy(TracingPolicy.IGNORE), new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_EVENT_LOOP));
    }

    private HttpClient client() {
        Context context = Vertx.currentContext();
        if (context instanceof ContextInternal internal && context.isEventLoopContext()) {
            return clients.computeIfAbsent(internal.nettyEventLoop(), loop -> newClient());
        }
        return shared;
    }

    public boolean knows(String upstream) {
        return config.upstreams().containsKey(upstream);
    }

    /** Sends the (paused) request upstream with {@code forward.headers()} and relays the answer. */
    public void forward(RoutingContext ctx, Forward forward) {
        HttpServerRequest request = ctx.request();
        GatewayConfig.Upstream upstream = config.upstreams().get(forward.upstream());
        URI base = bases.computeIfAbsent(forward.upstream(), name -> URI.create(upstream.url()));
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(forward.uri())
                // streams stall at most this long once the answer has started; the deadline below comes first before that
                .setIdleTimeout(upstream.timeout().toMillis() + 1_000);
        // HTTP/1.1 has a body only when Content-Length or Transfer-Encoding says so; a request without
        // either (most GETs) goes upstream without one rather than as an empty chunked stream.
        boolean hasBody = request.getHeader("Content-Length") != null || request.getHeader("Transfer-Encoding") != null
                || request.version() == HttpVersion.HTTP_2;
        if (!hasBody) {
            request.resume();
        }
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        AtomicBoolean expired = new AtomicBoolean();
        long deadline = vertx.setTimer(upstream.timeout().toMillis(), id -> {
            expired.set(true);
            HttpClientRequest inFlight = sent.get();
            if (inFlight != null) {
                inFlight.reset(); // its send fails, and fail() answers 504
            } else {
                fail(ctx, forward.upstream(), new TimeoutException("no connection to " + forward.upstream()), true);
            }
        });
        client().request(options)
                .compose(upstreamRequest -> {
                    sent.set(upstreamRequest);
                    forward.headers().accept(upstreamRequest.headers());
                    if (expired.get()) {
                        upstreamRequest.reset();
                    }
                    return hasBody ? upstreamRequest.send(body(ctx, upstreamRequest, forward)) : upstreamRequest.send();
                })
                .onSuccess(upstreamResponse -> {
                    vertx.cancelTimer(deadline);
                    if (expired.get()) {
                        // the head came in the same turn as the deadline: the deadline won
                        upstreamResponse.request().reset();
                        fail(ctx, forward.upstream(), new TimeoutException("answered after the deadline"), true);
                        return;
                    }
                    relay(upstreamResponse, ctx.response(), forward.page());
                })
                .onFailure(failure -> {
                    vertx.cancelTimer(deadline);
                    fail(ctx, forward.upstream(), failure, expired.get());
                });
    }

    private ReadStream<Buffer> body(RoutingContext ctx, HttpClientRequest upstreamRequest, Forward forward) {
        HttpServerRequest request = ctx.request();
        if (request.getHeader("Content-Length") != null || forward.maxBodyBytes() <= 0) {
            return request;
        }
        return new BodyLimit(request, forward.maxBodyBytes(), () -> {
            // The answer first: resetting the upstream request fails its send, and that failure must
            // find the 413 already written rather than answer 502 itself.
            problems.send(ctx, 413, "PAYLOAD_TOO_LARGE", Problems.title(413),
                    "The request body is larger than " + forward.maxBodyBytes() + " bytes.",
                    Map.of("max_bytes", forward.maxBodyBytes()));
            upstreamRequest.reset();
        });
    }

    private static void relay(HttpClientResponse upstreamResponse, HttpServerResponse response, boolean page) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(upstreamResponse.statusCode());
        response.setStatusMessage(upstreamResponse.statusMessage());
        upstreamResponse.headers().forEach(h -> {
            if (UpstreamHeaders.relayed(h.getKey())) {
                response.headers().add(h.getKey(), h.getValue());
            }
        });
        if (page) {
            PageHeaders.common().forEach((name, value) -> {
                if (!response.headers().contains(name)) {
                    response.putHeader(name, value);
                }
            });
            if (!response.headers().contains("Content-Security-Policy")) {
                response.putHeader("Content-Security-Policy", PageHeaders.FALLBACK_CSP);
            }
        }
        String length = upstreamResponse.getHeader("Content-Length");
        if (length == null) {
            response.setChunked(true);
        } else if (small(length)) {
            // A small answer of known length leaves in one write, head and body together, rather than
            // a write per chunk and another for the end: one system call instead of two or three.
            upstreamResponse.body().onComplete(body -> {
                if (response.ended() || response.closed()) {
                    return;
                }
                if (body.succeeded()) {
                    response.end(body.result());
                } else {
                    response.reset(); // the upstream broke off mid-body: so does the answer
                }
            });
            return;
        }
        upstreamResponse.pipeTo(response);
    }

    /** Bodies up to this size are read whole before they are relayed. */
    static final long SMALL_BODY_BYTES = 64 * 1024;

    private static boolean small(String contentLength) {
        try {
            long bytes = Long.parseLong(contentLength.trim());
            return bytes >= 0 && bytes <= SMALL_BODY_BYTES;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** 504 when the route's deadline passed before the answer's head ({@code expired}), 502 for anything else. */
    private void fail(RoutingContext ctx, String upstream, Throwable failure, boolean expired) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        LOG.warnf("upstream %s failed%s: %s", upstream, expired ? " (deadline passed)" : "", failure.toString());
        int status = expired ? 504 : 502;
        String code = status == 504 ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE";
        String detail = status == 504 ? "The " + upstream + " service did not answer in time."
                : "The " + upstream + " service is unavailable.";
        problems.send(ctx, status, code, Problems.title(status), detail, Map.of());
    }
}
