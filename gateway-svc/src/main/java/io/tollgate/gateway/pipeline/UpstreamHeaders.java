package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.auth.ApiKeys;
import io.tollgate.gateway.auth.Caller;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Step 7: what the upstream is told. Hop-by-hop headers and every identity-looking header the caller
 * sent are dropped (upstreams read identity from the token only); the verified token replaces the
 * caller's credential, and the request id, trace and the caller's address as the gateway decided it
 * are set.
 */
@Singleton
public class UpstreamHeaders {

    /** Lower case, as {@link #hopByHop} compares them ignoring case. */
    private static final String[] HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host"};
    /** Identity-looking headers a caller might forge. */
    private static final String[] FORGEABLE_PREFIXES = {"x-tollgate-", "x-user-", "x-tenant-", "x-auth-",
            "x-internal-", "x-forwarded-", "x-api-key", "x-principal", "x-real-ip", "forwarded", "x-scope",
            "x-roles", "x-original-"};
    private static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");
    private static final AsciiString REQUEST_ID = AsciiString.cached("X-Request-Id");
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final AsciiString FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");

    /** What the gateway knows of the request when it forwards it. */
    public record Context(String requestId, String traceparent, String clientIp, String scheme, String authority) {
    }

    public MultiMap build(Iterable<Map.Entry<String, String>> incoming, Caller caller, Context context) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        build(incoming, caller, context, headers);
        return headers;
    }

    /** Writes what the upstream is told into {@code headers} (the upstream request's own, so nothing is copied twice). */
    public void build(Iterable<Map.Entry<String, String>> incoming, Caller caller, Context context, MultiMap headers) {
        for (Map.Entry<String, String> header : incoming) {
            String name = header.getKey();
            if (!hopByHop(name) && !forgeable(name)) {
                headers.add(name, header.getValue());
            }
        }
        if (caller != null) {
            headers.set(AUTHORIZATION, caller.authorization());
        } else {
            String authorization = headers.get(AUTHORIZATION);
            String credential = authorization == null ? null : Authenticator.bearer(authorization);
            if (credential != null && ApiKeys.looksLikeKey(credential)) {
                headers.remove(AUTHORIZATION);
            }
        }
        headers.set(REQUEST_ID, context.requestId());
        if (context.traceparent() != null) {
            headers.set(TRACEPARENT, context.traceparent());
        } else {
            headers.remove(TRACEPARENT);
        }
        headers.set(FORWARDED_FOR, context.clientIp());
        headers.set(FORWARDED_PROTO, context.scheme());
        if (context.authority() != null) {
            headers.set(FORWARDED_HOST, context.authority());
        }
    }

    /** Whether a response header of the upstream's goes back to the caller as it is. */
    public static boolean relayed(String name) {
        return !hopByHop(name) && !"x-request-id".equalsIgnoreCase(name) && !startsWithIgnoringCase(name, "ratelimit")
                && !startsWithIgnoringCase(name, "access-control-");
    }

    /** Compared ignoring case without making a lower-case copy of every header name of every request. */
    private static boolean hopByHop(String name) {
        for (String hop : HOP_BY_HOP) {
            if (hop.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean forgeable(String name) {
        for (String prefix : FORGEABLE_PREFIXES) {
            if (startsWithIgnoringCase(name, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithIgnoringCase(String name, String lowerCasePrefix) {
        return name.regionMatches(true, 0, lowerCasePrefix, 0, lowerCasePrefix.length());
    }
}
