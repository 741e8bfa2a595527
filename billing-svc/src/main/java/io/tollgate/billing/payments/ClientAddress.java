package io.tollgate.billing.payments;

import io.tollgate.kit.net.IpRules;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * Who sent a provider's notification: the peer, unless the peer is a trusted proxy (the gateway),
 * whose {@code X-Forwarded-For} then names the caller (its right-most hop, the one it added).
 */
@ApplicationScoped
public class ClientAddress {

    private final List<String> trusted;

    public ClientAddress(@ConfigProperty(name = "tollgate.billing.trusted-proxies", defaultValue = "127.0.0.0/8,::1/128") List<String> trusted) {
        this.trusted = trusted;
    }

    public String of(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (peer == null || !IpRules.allows(trusted, peer)) {
            return peer;
        }
        String forwarded = request.getHeader("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        return hops[hops.length - 1].trim();
    }
}
