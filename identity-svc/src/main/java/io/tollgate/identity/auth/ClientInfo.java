package io.tollgate.identity.auth;

import io.tollgate.kit.net.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who is on the other end: the caller's address by the platform's one rule (the gateway's
 * {@code X-Forwarded-For} believed only from a trusted proxy) and the user agent.
 */
public record ClientInfo(String ip, String userAgent) {

    public static ClientInfo of(ClientAddress addresses, HttpServerRequest request) {
        String ip = addresses.of(request);
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > 512) {
            agent = agent.substring(0, 512);
        }
        return new ClientInfo(ip.length() > 64 ? ip.substring(0, 64) : ip, agent);
    }
}
