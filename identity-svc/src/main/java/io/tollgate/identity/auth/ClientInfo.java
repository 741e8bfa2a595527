package io.tollgate.identity.auth;

import io.vertx.core.http.HttpServerRequest;

/** Who is on the other end: the address the gateway saw (the last X-Forwarded-For hop) and the user agent. */
public record ClientInfo(String ip, String userAgent) {

    public static ClientInfo of(HttpServerRequest request) {
        String forwarded = request.getHeader("X-Forwarded-For");
        String ip;
        if (forwarded != null && !forwarded.isBlank()) {
            String[] hops = forwarded.split(",");
            ip = hops[hops.length - 1].trim();
        } else {
            ip = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        }
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > 512) {
            agent = agent.substring(0, 512);
        }
        return new ClientInfo(ip.length() > 64 ? ip.substring(0, 64) : ip, agent);
    }
}
