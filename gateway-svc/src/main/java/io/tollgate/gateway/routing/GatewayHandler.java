package io.tollgate.gateway.routing;

import io.tollgate.gateway.auth.ApiKeys;
import io.tollgate.gateway.auth.AuthFailure;
import io.tollgate.gateway.auth.Caller;
import io.tollgate.gateway.auth.JwtVerifier;
import io.tollgate.gateway.auth.Withdrawn;
import io.tollgate.gateway.cors.Cors;
import io.tollgate.gateway.limits.Decision;
import io.tollgate.gateway.limits.Limit;
import io.tollgate.gateway.limits.LimitsConfig;
import io.tollgate.gateway.limits.RateLimiter;
import io.tollgate.gateway.policy.Access;
import io.tollgate.gateway.policy.RateClass;
import io.tollgate.gateway.policy.RoutePolicies;
import io.tollgate.gateway.policy.RoutePolicy;
import io.tollgate.gateway.web.Problems;
import io.tollgate.gateway.web.Trace;
import io.tollgate.kit.net.ClientAddress;
import io.tollgate.kit.web.RequestPaths;
import io.vertx.core.Context;
import io.vertx.core.Future;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The public door, in order: request id and trace context, CORS preflight, the route's policy,
 * body size and type, the credential (JWT or API key), revocation, scope / JWT-only / admin, rate
 * limits, then the upstream. Everything runs on the event loop; the only remote calls are one
 * Redis script per request and, for a key not seen for a while, one exchange at identity.
 */
@ApplicationScoped
public class GatewayHandler {

    private static final Logger LOG = Logger.getLogger("io.tollgate.gateway.access");
    private static final Pattern SANE_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
    /** Identity-looking headers a caller might forge; upstreams read identity from the token only. */
    private static final Set<String> STRIPPED_PREFIXES = Set.of("x-tollgate-", "x-user-", "x-tenant-", "x-auth-",
            "x-internal-", "x-forwarded-", "x-api-key", "x-principal", "x-real-ip", "forwarded", "x-scope",
            "x-roles", "x-original-");
    private static final String REQUEST_ID = "tollgate.request-id";
    private static final int MAX_TARGET = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final String PATH = "tollgate.path";

    private final RouteTable table = new RouteTable();
    private final RoutePolicies policies = new RoutePolicies();
    private final ReverseProxy proxy;
    private final JwtVerifier jwt;
    private final ApiKeys apiKeys;
    private final Withdrawn withdrawn;
    private final RateLimiter limiter;
    private final LimitsConfig limits;
    private final Cors cors;
    private final ClientAddress clientAddress;
    private final Problems problems;
    private final boolean accessLog;

    public GatewayHandler(ReverseProxy proxy, JwtVerifier jwt, ApiKeys apiKeys, Withdrawn withdrawn,
                          RateLimiter limiter, LimitsConfig limits, Cors cors, ClientAddress clientAddress, Problems problems,
                          @ConfigProperty(name = "tollgate.gateway.access-log", defaultValue = "true") boolean accessLog) {
        this.proxy = proxy;
        this.jwt = jwt;
        this.apiKeys = apiKeys;
        this.withdrawn = withdrawn;
        this.limiter = limiter;
        this.limits = limits;
        this.cors = cors;
        this.clientAddress = clientAddress;
        this.problems = problems;
        this.accessLog = accessLog;
    }

    void routes(@Observes Router router) {
        router.route().order(-1000).handler(this::guard);
        router.route().order(-100).handler(this::handle);
    }

    /**
     * Before anything matches a path: a request id, and the one reading of the path that the
     * gateway matches and forwards (dot segments removed; encoded slashes, backslashes, NUL, {@code ;}
     * and climbs above the root refused). Our services' own {@code /internal} and {@code /q} paths
     * are never served from the public door, in any spelling.
     */
    void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String given = request.getHeader("X-Request-Id");
        String requestId = given != null && SANE_ID.matcher(given).matches() ? given : newRequestId();
        ctx.response().putHeader("X-Request-Id", requestId);
        ctx.put(REQUEST_ID, requestId);
        if (request.uri().length() > MAX_TARGET) {
            problems.send(ctx, 414, "URI_TOO_LONG", Problems.title(414),
                    "The request target is longer than " + MAX_TARGET + " characters.", Map.of("max_length", MAX_TARGET));
            return;
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headerBytes > MAX_HEADER_BYTES) {
            problems.send(ctx, 431, "HEADERS_TOO_LARGE", Problems.title(431),
                    "The request headers are larger than " + MAX_HEADER_BYTES + " bytes.", Map.of("max_bytes", MAX_HEADER_BYTES));
            return;
        }
        RequestPaths.Normal normal = RequestPaths.normalise(request.path());
        if (normal.refused() || RequestPaths.queryHasControl(request.query())) {
            problems.send(ctx, 400, "INVALID_PATH", "Bad request",
                    normal.refused() ? normal.refusal() : "The query has a NUL or another control character.", Map.of());
            return;
        }
        String path = normal.path();
        if (internal(path) || (normal.changed() && table.match(path).isEmpty())) {
            problems.send(ctx, 404, "NOT_FOUND", Problems.title(404), "No resource matches this path.", Map.of());
            return;
        }
        ctx.put(PATH, path);
        ctx.next();
    }

    private static boolean internal(String path) {
        for (String prefix : List.of("/internal", "/q")) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
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
        String uri = path + (request.query() == null ? "" : "?" + request.query());
        RoutePolicy policy = policies.match(request.method(), path);
        // Metrics name the route's owner prefix, never the raw path with someone's ids in it.
        Context context = Vertx.currentContext();
        if (context != null) {
            context.putLocal("UrlPathTemplate", route.get().prefix() + "/**");
        }
        request.pause();
        long started = System.nanoTime();
        HttpServerResponse response = ctx.response();
        String requestId = ctx.get(REQUEST_ID);
        Trace trace = Trace.continueOrStart(request.getHeader("traceparent"));
        MDC.put("request_id", requestId);
        MDC.put("trace_id", trace.traceId());
        if (accessLog) {
            response.endHandler(v -> LOG.infof("%s %s %d %.1fms upstream=%s request_id=%s trace_id=%s", request.method(),
                    path, response.getStatusCode(), (System.nanoTime() - started) / 1e6, upstream, requestId, trace.traceId()));
        }

        String origin = request.getHeader("Origin");
        if (origin != null && request.method() == HttpMethod.OPTIONS && request.getHeader("Access-Control-Request-Method") != null) {
            preflight(ctx, origin);
            return;
        }
        if (!bodyAcceptable(ctx, policy)) {
            return;
        }
        String ip = clientAddress.of(request);
        authenticate(request, policy, ip)
                .compose(caller -> limit(policy, caller, ip).map(decision -> new Admitted(caller, decision)))
                .onSuccess(admitted -> {
                    Decision decision = admitted.decision();
                    if (!decision.limits().isEmpty()) {
                        response.putHeader("RateLimit-Policy", decision.policyHeader());
                        response.putHeader("RateLimit", decision.stateHeader());
                    }
                    if (!decision.admitted()) {
                        response.putHeader("Retry-After", String.valueOf(decision.retryAfterSeconds()));
                        problems.send(ctx, 429, "RATE_LIMITED", Problems.title(429),
                                "Too many requests; retry after " + decision.retryAfterSeconds() + " s.",
                                Map.of("retry_after", decision.retryAfterSeconds()));
                        return;
                    }
                    Caller caller = admitted.caller();
                    if (origin != null && cors.allows(origin, caller == null ? null : caller.tenantId())) {
                        cors.actual(response, origin);
                    }
                    MultiMap headers = ReverseProxy.upstreamHeaders(request, Set.of());
                    for (String name : List.copyOf(headers.names())) {
                        if (forgeable(name)) {
                            headers.remove(name);
                        }
                    }
                    if (caller != null) {
                        headers.set("Authorization", "Bearer " + caller.token());
                    } else {
                        String authorization = headers.get("Authorization");
                        if (authorization != null && ApiKeys.looksLikeKey(bearer(authorization))) {
                            headers.remove("Authorization");
                        }
                    }
                    headers.set("X-Request-Id", requestId);
                    headers.set("traceparent", trace.traceparent());
                    headers.set("X-Forwarded-For", ip);
                    headers.set("X-Forwarded-Proto", request.scheme());
                    if (request.authority() != null) {
                        headers.set("X-Forwarded-Host", request.authority().toString());
                    }
                    proxy.forward(ctx, new ReverseProxy.Forward(upstream, uri, requestId, trace.traceparent(), ip, headers,
                            policy.maxBodyBytes()));
                })
                .onFailure(failure -> refuse(ctx, failure));
    }

    private record Admitted(Caller caller, Decision decision) {
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
            problems.send(ctx, 403, "CORS_ORIGIN_NOT_ALLOWED", Problems.title(403),
                    "No tenant allows browser calls from " + origin + ".", Map.of());
            return;
        }
        cors.preflight(ctx.response(), origin);
        ctx.request().resume();
        ctx.response().setStatusCode(204).end();
    }

    private boolean bodyAcceptable(RoutingContext ctx, RoutePolicy policy) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader("Content-Length");
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            problems.send(ctx, 400, "BAD_REQUEST", "Bad request", "Content-Length is not a number.", Map.of());
            return false;
        }
        if (policy.maxBodyBytes() > 0 && declared > policy.maxBodyBytes()) {
            problems.send(ctx, 413, "PAYLOAD_TOO_LARGE", Problems.title(413),
                    "The request body is larger than " + policy.maxBodyBytes() + " bytes.",
                    Map.of("max_bytes", policy.maxBodyBytes()));
            return false;
        }
        boolean hasBody = declared > 0 || (declared < 0 && request.getHeader("Transfer-Encoding") != null);
        if (policy.jsonBody() && hasBody && !isJson(request.getHeader("Content-Type"))) {
            problems.send(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", Problems.title(415),
                    "This route takes a JSON body (Content-Type: application/json).", Map.of());
            return false;
        }
        return true;
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private Future<Caller> authenticate(HttpServerRequest request, RoutePolicy policy, String ip) {
        if (policy.isPublic()) {
            return Future.succeededFuture(null);
        }
        String authorization = request.getHeader("Authorization");
        String headerKey = request.getHeader("X-API-Key");
        String credential;
        if (authorization != null) {
            credential = bearer(authorization);
            if (credential == null) {
                return Future.failedFuture(new AuthFailure(401, "INVALID_TOKEN", "Use Authorization: Bearer <token or API key>."));
            }
        } else if (headerKey != null) {
            credential = headerKey.trim();
            if (!ApiKeys.looksLikeKey(credential)) {
                return Future.failedFuture(new AuthFailure(401, "INVALID_API_KEY", "X-API-Key does not hold a Tollgate API key."));
            }
        } else {
            return Future.failedFuture(new AuthFailure(401, "AUTHENTICATION_REQUIRED",
                    "Send Authorization: Bearer <access token> or an API key."));
        }
        Future<Caller> caller;
        if (ApiKeys.looksLikeKey(credential)) {
            caller = apiKeys.resolve(credential, ip).map(c -> {
                withdrawn.checkExchanged(c);
                return c;
            });
        } else {
            caller = jwt.verify(credential).map(c -> {
                if (c.source() == Caller.Source.SERVICE) {
                    throw AuthFailure.invalid("Service tokens are not accepted on the public API.");
                }
                withdrawn.check(c);
                return c;
            });
        }
        return caller.map(c -> authorize(policy, c));
    }

    private static Caller authorize(RoutePolicy policy, Caller caller) {
        switch (policy.access()) {
            case JWT_ONLY -> {
                if (caller.isApiKey()) {
                    throw jwtOnly();
                }
            }
            case ADMIN -> {
                if (caller.isApiKey()) {
                    throw jwtOnly();
                }
                if (!caller.isAdmin()) {
                    throw new AuthFailure(403, "ADMIN_ONLY", "This route is for platform administrators.");
                }
            }
            case USER -> {
                if (policy.scope() != null && !caller.hasScope(policy.scope())) {
                    throw new AuthFailure(403, "INSUFFICIENT_SCOPE", "This API key lacks the scope " + policy.scope() + ".");
                }
            }
            default -> {
            }
        }
        return caller;
    }

    private static AuthFailure jwtOnly() {
        return new AuthFailure(403, "JWT_ONLY", "This action needs a user session; API keys cannot do it.");
    }

    private Future<Decision> limit(RoutePolicy policy, Caller caller, String ip) {
        long window = limits.window().toMillis();
        List<Limit> buckets = new ArrayList<>(2);
        switch (policy.rateClass()) {
            case NONE -> {
            }
            case AUTH -> buckets.add(new Limit("auth", "rl:ip:auth:" + ip, limits.authPerIp(), window));
            case PUBLIC -> buckets.add(new Limit("public", "rl:ip:public:" + ip, limits.publicPerIp(), window));
            default -> {
                String label = policy.rateClass().label();
                buckets.add(new Limit(label, "rl:user:" + caller.userId() + ":" + label, perUser(policy.rateClass()), window));
                if (caller.isApiKey()) {
                    long rpm = caller.rateLimitRpm() > 0 ? caller.rateLimitRpm() : 100;
                    buckets.add(new Limit("key", "rl:key:" + caller.apiKeyId(), rpm, 60_000));
                }
            }
        }
        if (buckets.isEmpty()) {
            return Future.succeededFuture(Decision.UNLIMITED);
        }
        return limiter.check(buckets, policy.rateClass() == RateClass.AUTH).recover(failure -> {
            LOG.warnf("rate limits unavailable: %s", failure.toString());
            if (policy.rateClass() == RateClass.AUTH) {
                return Future.failedFuture(new AuthFailure(503, "RATE_LIMIT_UNAVAILABLE",
                        "Sign-in is briefly unavailable; try again in a moment."));
            }
            return Future.succeededFuture(Decision.UNLIMITED);
        });
    }

    private long perUser(RateClass rateClass) {
        return switch (rateClass) {
            case PORTS -> limits.ports();
            case PURCHASE -> limits.purchase();
            case ADMIN -> limits.admin();
            default -> limits.general();
        };
    }

    private void refuse(RoutingContext ctx, Throwable failure) {
        if (failure instanceof AuthFailure auth) {
            if (auth.status() == 401) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tollgate\", error=\"invalid_token\"");
            }
            if (auth.status() == 503) {
                ctx.response().putHeader("Retry-After", "1");
            }
            problems.send(ctx, auth.status(), auth.code(), Problems.title(auth.status()), auth.getMessage(), Map.of());
            return;
        }
        LOG.errorf("gateway failure: %s", failure.toString());
        problems.send(ctx, 503, "GATEWAY_UNAVAILABLE", Problems.title(503), "The gateway could not handle this request.", Map.of());
    }

    private static String bearer(String authorization) {
        String value = authorization.trim();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static boolean forgeable(String header) {
        String name = header.toLowerCase(Locale.ROOT);
        for (String prefix : STRIPPED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
