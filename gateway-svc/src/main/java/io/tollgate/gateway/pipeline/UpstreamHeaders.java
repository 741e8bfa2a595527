package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.auth.ApiKeys;
import io.tollgate.gateway.auth.Caller;
import io.vertx.core.MultiMap;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Step 7: what the upstream is told. Hop-by-hop headers and every identity-looking header the caller
 * sent are dropped (upstreams read identity from the token only); the verified token replaces the
 * caller's credential, and the request id, trace and the caller's address as the gateway decided it
 * are set.
 */
@Singleton
public class UpstreamHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");
    /** Identity-looking headers a caller might forge. */
    private static final Set<String> FORGEABLE_PREFIXES = Set.of("x-tollgate-", "x-user-", "x-tenant-", "x-auth-",
            "x-internal-", "x-forwarded-", "x-api-key", "x-principal", "x-real-ip", "forwarded", "x-scope",
            "x-roles", "x-original-");

    /** What the gateway knows of the request when it forwards it. */
    public record Context(String requestId, String traceparent, String clientIp, String scheme, String authority) {
    }

    public MultiMap build(Iterable<Map.Entry<String, String>> incoming, Caller caller, Context context) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : incoming) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !forgeable(name)) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        if (caller != null) {
            headers.set("Authorization", "Bearer " + caller.token());
        } else {
            String authorization = headers.get("Authorization");
            String credential = authorization == null ? null : Authenticator.bearer(authorization);
            if (credential != null && ApiKeys.looksLikeKey(credential)) {
                headers.remove("Authorization");
            }
        }
        headers.set("X-Request-Id", context.requestId());
        headers.set("traceparent", context.traceparent());
        headers.set("X-Forwarded-For", context.clientIp());
        headers.set("X-Forwarded-Proto", context.scheme());
        if (context.authority() != null) {
            headers.set("X-Forwarded-Host", context.authority());
        }
        return headers;
    }

    /** Whether a response header of the upstream's goes back to the caller as it is. */
    public static boolean relayed(String header) {
        String name = header.toLowerCase(Locale.ROOT);
        return !HOP_BY_HOP.contains(name) && !"x-request-id".equals(name) && !name.startsWith("ratelimit")
                && !name.startsWith("access-control-");
    }

    private static boolean forgeable(String lowerCaseName) {
        for (String prefix : FORGEABLE_PREFIXES) {
            if (lowerCaseName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
