package io.tollgate.gateway.web;

import io.tollgate.kit.net.IpRules;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * The caller's address: the peer, unless the peer is a trusted proxy (a load balancer in front of
 * the gateway), in which case the right-most {@code X-Forwarded-For} hop that is not itself trusted.
 * Hops a client wrote itself further left are never believed.
 */
@ApplicationScoped
public class ClientAddress {

    private final List<String> trusted;

    public ClientAddress(@ConfigProperty(name = "tollgate.gateway.trusted-proxies", defaultValue = "127.0.0.0/8,::1/128")
                         List<String> trusted) {
        this.trusted = trusted;
    }

    public String of(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "0.0.0.0" : request.remoteAddress().hostAddress();
        if (!IpRules.allows(trusted, peer)) {
            return peer;
        }
        String forwarded = request.getHeader("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (IpRules.problem(hop) != null) {
                return peer;
            }
            if (!IpRules.allows(trusted, hop) || i == 0) {
                return hop;
            }
        }
        return peer;
    }
}
