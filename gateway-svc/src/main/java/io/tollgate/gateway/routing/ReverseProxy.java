package io.tollgate.gateway.routing;

import io.quarkus.runtime.StartupEvent;
import io.tollgate.gateway.pipeline.UpstreamHeaders;
import io.tollgate.gateway.web.BodyLimit;
import io.tollgate.gateway.web.Problems;
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
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.ConnectException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Streams a request the gateway has admitted to the owning service and its answer back, body
 * untouched (so a payment provider's signed webhook arrives byte-exact). An upstream that refuses is
 * 502, one that is too slow is 504, both as problem+json.
 */
@ApplicationScoped
public class ReverseProxy {

    private static final Logger LOG = Logger.getLogger(ReverseProxy.class);

    /** What the gateway decided about a request, and what the upstream is told. */
    public record Forward(String upstream, String uri, String requestId, String traceparent, String clientIp,
                          MultiMap headers, long maxBodyBytes) {
    }

    private final Vertx vertx;
    private final GatewayConfig config;
    private final Problems problems;
    private HttpClient client;

    public ReverseProxy(Vertx vertx, GatewayConfig config, Problems problems) {
        this.vertx = vertx;
        this.config = config;
        this.problems = problems;
    }

    void start(@Observes StartupEvent event) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(200));
    }

    public boolean knows(String upstream) {
        return config.upstreams().containsKey(upstream);
    }

    /** Sends the (paused) request upstream with {@code forward.headers()} and relays the answer. */
    public void forward(RoutingContext ctx, Forward forward) {
        HttpServerRequest request = ctx.request();
        GatewayConfig.Upstream upstream = config.upstreams().get(forward.upstream());
        URI base = URI.create(upstream.url());
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(forward.uri())
                .setIdleTimeout(upstream.timeout().toMillis())
                .setHeaders(forward.headers());
        // HTTP/1.1 has a body only when Content-Length or Transfer-Encoding says so; a request without
        // either (most GETs) goes upstream without one rather than as an empty chunked stream.
        boolean hasBody = request.getHeader("Content-Length") != null || request.getHeader("Transfer-Encoding") != null
                || request.version() == HttpVersion.HTTP_2;
        if (!hasBody) {
            request.resume();
        }
        client.request(options)
                .compose(upstreamRequest -> hasBody ? upstreamRequest.send(body(ctx, upstreamRequest, forward))
                        : upstreamRequest.send())
                .onSuccess(upstreamResponse -> relay(upstreamResponse, ctx.response()))
                .onFailure(failure -> fail(ctx, forward.upstream(), failure));
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

    private static void relay(HttpClientResponse upstreamResponse, HttpServerResponse response) {
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
        if (upstreamResponse.getHeader("Content-Length") == null) {
            response.setChunked(true);
        }
        upstreamResponse.pipeTo(response);
    }

    private void fail(RoutingContext ctx, String upstream, Throwable failure) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        LOG.warnf("upstream %s failed: %s", upstream, failure.toString());
        boolean slow = failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")
                || String.valueOf(failure.getMessage()).contains("timeout");
        boolean refused = failure instanceof ConnectException || failure.getCause() instanceof ConnectException;
        int status = slow && !refused ? 504 : 502;
        String code = status == 504 ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE";
        String detail = status == 504 ? "The " + upstream + " service did not answer in time."
                : "The " + upstream + " service is unavailable.";
        problems.send(ctx, status, code, Problems.title(status), detail, Map.of());
    }
}
