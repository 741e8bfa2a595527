package io.tollgate.gateway.routing;

import io.opentelemetry.api.trace.Span;
import io.tollgate.gateway.auth.AuthFailure;
import io.tollgate.gateway.auth.Caller;
import io.tollgate.gateway.cors.Cors;
import io.tollgate.gateway.limits.Decision;
import io.tollgate.gateway.pipeline.Authenticator;
import io.tollgate.gateway.pipeline.BodyRules;
import io.tollgate.gateway.pipeline.DoorGuard;
import io.tollgate.gateway.pipeline.Refusal;
import io.tollgate.gateway.pipeline.RouteLimits;
import io.tollgate.gateway.pipeline.UpstreamHeaders;
import io.tollgate.gateway.policy.RoutePolicies;
import io.tollgate.gateway.policy.RoutePolicy;
import io.tollgate.gateway.web.Problems;
import io.tollgate.gateway.web.Trace;
import io.tollgate.kit.net.ClientAddress;
import io.tollgate.kit.pages.PageHeaders;
import io.tollgate.kit.tracing.EventTracing;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The public door, as a chain of named steps, each a bean of its own: {@link DoorGuard} (request
 * id, sizes, the one reading of the path), the route and its {@link RoutePolicy}, the CORS
 * preflight, {@link BodyRules}, the {@link Authenticator} (credential, revocation, the route's rule),
 * {@link RouteLimits}, then {@link UpstreamHeaders} and the {@link ReverseProxy}. This class only
 * runs them in order on the event loop and turns a step's refusal into a problem document.
 */
@ApplicationScoped
public class GatewayHandler {

    private static final Logger LOG = Logger.getLogger("io.tollgate.gateway.access");
    private static final String REQUEST_ID = "tollgate.request-id";
    private static final String PATH = "tollgate.path";
    private static final String PAGE = "tollgate.page";

    private final DoorGuard guard;
    private final RouteTable table;
    private final RoutePolicies policies;
    private final BodyRules bodies;
    private final Authenticator authenticator;
    private final RouteLimits limits;
    private final UpstreamHeaders upstreamHeaders;
    private final ReverseProxy proxy;
    private final Cors cors;
    private final ClientAddress clientAddress;
    private final Problems problems;
    private final boolean accessLog;

    public GatewayHandler(DoorGuard guard, RouteTable table, RoutePolicies policies, BodyRules bodies,
                          Authenticator authenticator, RouteLimits limits, UpstreamHeaders upstreamHeaders, ReverseProxy proxy,
                          Cors cors, ClientAddress clientAddress, Problems problems,
                          @ConfigProperty(name = "tollgate.gateway.access-log", defaultValue = "true") boolean accessLog) {
        this.guard = guard;
        this.table = table;
        this.policies = policies;
        this.bodies = bodies;
        this.authenticator = authenticator;
        this.limits = limits;
        this.upstreamHeaders = upstreamHeaders;
        this.proxy = proxy;
        this.cors = cors;
        this.clientAddress = clientAddress;
        this.problems = problems;
        this.accessLog = accessLog;
    }

    void routes(@Observes Router router) {
        router.route().order(-1000).handler(this::guard);
        router.route().order(-100).handler(this::handle);
    }

    /** Before anything matches: every request, the gateway's own routes included. */
    void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String given = DoorGuard.saneRequestId(request.getHeader("X-Request-Id"));
        String requestId = given != null ? given : newRequestId();
        ctx.response().putHeader("X-Request-Id", requestId);
        ctx.put(REQUEST_ID, requestId);
        DoorGuard.Reading reading = guard.read(request.uri(), request.path(), request.query(), request.headers());
        if (reading.refusal() != null) {
            send(ctx, reading.refusal());
            return;
        }
        ctx.put(PATH, reading.path());
        ctx.next();
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = ctx.get(PATH);
        var route = table.match(path);
        if (route.isEmpty() || !proxy.knows(route.get().upstream())) {
            ctx.next();
            return;
        }
        String upstream = route.get().upstream();
        if (route.get().page()) {
            ctx.put(PAGE, true);
        }
        RoutePolicy policy = policies.match(request.method(), path);
        // Metrics name the route's owner prefix, never the raw path with someone's ids in it.
        Context context = Vertx.currentContext();
        if (context != null) {
            context.putLocal("UrlPathTemplate", route.get().prefix().equals("/") ? "/" : route.get().prefix() + "/**");
        }
        request.pause();
        String requestId = ctx.get(REQUEST_ID);
        Trace trace = Trace.current(request.getHeader("traceparent"));
        MDC.put("request_id", requestId);
        if (trace.traceId() != null) {
            MDC.put("trace_id", trace.traceId());
            Span.current().setAttribute(EventTracing.REQUEST_ID_ATTRIBUTE, requestId);
        }
        logWhenDone(ctx, path, upstream, requestId, trace);

        String origin = request.getHeader("Origin");
        if (origin != null && request.method() == HttpMethod.OPTIONS && request.getHeader("Access-Control-Request-Method") != null) {
            preflight(ctx, origin);
            return;
        }
        var refusal = bodies.check(policy, request.getHeader("Content-Length"), request.getHeader("Transfer-Encoding"),
                request.getHeader("Content-Type"));
        if (refusal.isPresent()) {
            send(ctx, refusal.get());
            return;
        }
        String ip = clientAddress.of(request);
        authenticator.authenticate(policy, request.getHeader("Authorization"), request.getHeader("X-API-Key"), ip)
                .compose(caller -> limits.decide(policy, caller, ip).map(decision -> new Admitted(caller, decision)))
                .onSuccess(admitted -> admit(ctx, upstream, route.get().page(), path, policy, admitted, requestId, trace, ip, origin))
                .onFailure(failure -> refuse(ctx, failure));
    }

    private record Admitted(Caller caller, Decision decision) {
    }

    private void admit(RoutingContext ctx, String upstream, boolean page, String path, RoutePolicy policy, Admitted admitted,
                       String requestId, Trace trace, String ip, String origin) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        Decision decision = admitted.decision();
        if (!decision.limits().isEmpty()) {
            response.putHeader("RateLimit-Policy", decision.policyHeader());
            response.putHeader("RateLimit", decision.stateHeader());
        }
        if (!decision.admitted()) {
            response.putHeader("Retry-After", String.valueOf(decision.retryAfterSeconds()));
            send(ctx, new Refusal(429, "RATE_LIMITED", "Too many requests; retry after " + decision.retryAfterSeconds() + " s.",
                    Map.of("retry_after", decision.retryAfterSeconds())));
            return;
        }
        Caller caller = admitted.caller();
        if (origin != null && cors.allows(origin, caller == null ? null : caller.tenantId())) {
            cors.actual(response, origin);
        }
        var context = new UpstreamHeaders.Context(requestId, trace.traceparent(), ip, request.scheme(),
                request.authority() == null ? null : request.authority().toString());
        Consumer<MultiMap> headers = into -> upstreamHeaders.build(request.headers(), caller, context, into);
        String uri = path + (request.query() == null ? "" : "?" + request.query());
        proxy.forward(ctx, new ReverseProxy.Forward(upstream, uri, requestId, trace.traceparent(), ip, headers,
                policy.maxBodyBytes(), page));
    }

    private void logWhenDone(RoutingContext ctx, String path, String upstream, String requestId, Trace trace) {
        if (!accessLog) {
            return;
        }
        long started = System.nanoTime();
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        response.endHandler(v -> LOG.info(accessLine(request.method().name(), path, response.getStatusCode(),
                System.nanoTime() - started, upstream, requestId, trace.traceId())));
    }

    /**
     * {@code GET /v1/jobs/1 200 0.4ms upstream=render request_id=... trace_id=...}, put together by
     * hand: a format string would be parsed again for every request.
     */
    static String accessLine(String method, String path, int status, long nanos, String upstream, String requestId,
                             String traceId) {
        long tenths = (nanos + 50_000) / 100_000;
        return new StringBuilder(160).append(method).append(' ').append(path).append(' ').append(status).append(' ')
                .append(tenths / 10).append('.').append(tenths % 10).append("ms upstream=").append(upstream)
                .append(" request_id=").append(requestId).append(" trace_id=").append(traceId).toString();
    }

    /** A random (version 4) UUID from the thread's own generator: request ids need uniqueness, not secrecy. */
    private static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    private void preflight(RoutingContext ctx, String origin) {
        if (!cors.known(origin)) {
            send(ctx, new Refusal(403, "CORS_ORIGIN_NOT_ALLOWED", "No tenant allows browser calls from " + origin + "."));
            return;
        }
        cors.preflight(ctx.response(), origin);
        ctx.request().resume();
        ctx.response().setStatusCode(204).end();
    }

    private void refuse(RoutingContext ctx, Throwable failure) {
        if (failure instanceof AuthFailure auth) {
            if (auth.status() == 401) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tollgate\", error=\"invalid_token\"");
            }
            if (auth.status() == 503) {
                ctx.response().putHeader("Retry-After", "1");
            }
            send(ctx, new Refusal(auth.status(), auth.code(), auth.getMessage()));
            return;
        }
        LOG.errorf("gateway failure: %s", failure.toString());
        send(ctx, new Refusal(503, "GATEWAY_UNAVAILABLE", "The gateway could not handle this request."));
    }

    private void send(RoutingContext ctx, Refusal refusal) {
        String title = refusal.status() == 400 ? "Bad request" : Problems.title(refusal.status());
        if (Boolean.TRUE.equals(ctx.get(PAGE))) {
            page(ctx, refusal.status(), title, refusal.detail());
            return;
        }
        problems.send(ctx, refusal.status(), refusal.code(), title, refusal.detail(), refusal.extensions());
    }

    /** A refusal on a hosted page is a page too (a person reads it, not a client): plain HTML with the page headers. */
    private static void page(RoutingContext ctx, int status, String title, String detail) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        ctx.request().resume();
        PageHeaders.common().forEach(response::putHeader);
        response.putHeader("Content-Security-Policy", PageHeaders.FALLBACK_CSP);
        response.putHeader("Content-Type", "text/html; charset=utf-8");
        response.setStatusCode(status).end("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head><body><main><h1>" + escape(title) + "</h1><p>" + escape(detail) + "</p></main></body></html>");
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
