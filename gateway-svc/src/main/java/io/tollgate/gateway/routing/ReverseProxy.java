package io.tollgate.gateway.routing;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.net.ConnectException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Streams public requests to the owning service and its answer back, body untouched (so a payment
 * provider's signed webhook arrives byte-exact). An upstream that refuses is 502, one that is
 * too slow is 504, both as problem+json.
 */
@ApplicationScoped
public class ReverseProxy {

    private static final Logger LOG = Logger.getLogger(ReverseProxy.class);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");
    private static final Pattern SANE_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
    private static final Pattern OPENAPI = Pattern.compile("^/v1/openapi/([a-z]+)$");

    private final Vertx vertx;
    private final GatewayConfig config;
    private final RouteTable table = new RouteTable();
    private HttpClient client;

    public ReverseProxy(Vertx vertx, GatewayConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(200));
    }

    void routes(@Observes Router router) {
        router.route().order(-100).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = request.path();
        var openapi = OPENAPI.matcher(path);
        if (openapi.matches() && config.upstreams().containsKey(openapi.group(1))) {
            forward(ctx, openapi.group(1), "/q/openapi" + (request.query() == null ? "" : "?" + request.query()));
            return;
        }
        var route = table.match(path);
        if (route.isEmpty() || !config.upstreams().containsKey(route.get().upstream())) {
            ctx.next();
            return;
        }
        forward(ctx, route.get().upstream(), request.uri());
    }

    private void forward(RoutingContext ctx, String upstreamName, String uri) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        GatewayConfig.Upstream upstream = config.upstreams().get(upstreamName);
        String given = request.getHeader("X-Request-Id");
        String requestId = given != null && SANE_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        response.putHeader("X-Request-Id", requestId);
        request.pause();

        URI base = URI.create(upstream.url());
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(uri)
                .setIdleTimeout(upstream.timeout().toMillis());
        request.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        options.putHeader("X-Request-Id", requestId);
        String forwardedFor = request.getHeader("X-Forwarded-For");
        String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        options.putHeader("X-Forwarded-For", forwardedFor == null ? remote : forwardedFor + ", " + remote);
        options.putHeader("X-Forwarded-Proto", request.scheme());
        if (request.authority() != null) {
            options.putHeader("X-Forwarded-Host", request.authority().toString());
        }

        client.request(options)
                .compose(upstreamRequest -> upstreamRequest.send(request))
                .onSuccess(upstreamResponse -> relay(upstreamResponse, response))
                .onFailure(failure -> fail(ctx, upstreamName, requestId, failure));
    }

    private static void relay(HttpClientResponse upstreamResponse, HttpServerResponse response) {
        response.setStatusCode(upstreamResponse.statusCode());
        response.setStatusMessage(upstreamResponse.statusMessage());
        upstreamResponse.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT)) && !"x-request-id".equalsIgnoreCase(h.getKey())) {
                response.headers().add(h.getKey(), h.getValue());
            }
        });
        String length = upstreamResponse.getHeader("Content-Length");
        if (length == null) {
            response.setChunked(true);
        }
        upstreamResponse.pipeTo(response);
    }

    private static void fail(RoutingContext ctx, String upstream, String requestId, Throwable failure) {
        HttpServerResponse response = ctx.response();
        MDC.put("request_id", requestId);
        LOG.warnf("upstream %s failed: %s", upstream, failure.toString());
        if (response.headWritten()) {
            response.reset();
            return;
        }
        boolean slow = failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")
                || String.valueOf(failure.getMessage()).contains("timeout");
        boolean refused = failure instanceof ConnectException || failure.getCause() instanceof ConnectException;
        int status = slow && !refused ? 504 : 502;
        String code = status == 504 ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE";
        String detail = status == 504 ? "The " + upstream + " service did not answer in time."
                : "The " + upstream + " service is unavailable.";
        String body = "{\"type\":\"https://tollgate.io/problems/" + code.toLowerCase(Locale.ROOT).replace('_', '-')
                + "\",\"title\":\"" + (status == 504 ? "Gateway timeout" : "Bad gateway") + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\",\"instance\":\"" + ctx.request().path().replace("\"", "")
                + "\",\"code\":\"" + code + "\",\"request_id\":\"" + requestId + "\"}";
        if (!ctx.request().isEnded()) {
            ctx.request().resume();
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(body);
    }
}
