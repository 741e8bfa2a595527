package io.tollgate.kit.net;

import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for who is calling. The peer is the caller, unless the peer is a trusted proxy
 * ({@code tollgate.trusted-proxies}: the gateway in front of a service, a load balancer in front of
 * the gateway). Then every {@code X-Forwarded-For} line is joined in the order received (RFC 7230
 * allows a list header to be split over lines, and a client can send its own first line) and walked
 * from the right over trusted hops; the first hop that is not trusted is the caller. A malformed hop
 * stops the walk at the last address that was believed. Hops further left were written by whoever
 * the untrusted hop was, so they are never read.
 */
@Singleton
public class ClientAddress {

    private final List<String> trusted;

    public ClientAddress(@ConfigProperty(name = "tollgate.trusted-proxies", defaultValue = "127.0.0.0/8,::1/128")
                         List<String> trusted) {
        trusted = trusted.stream().filter(rule -> !rule.isBlank()).toList();
        for (String rule : trusted) {
            String problem = IpRules.problem(rule.trim());
            if (problem != null) {
                throw new IllegalArgumentException("tollgate.trusted-proxies: " + rule + ": " + problem);
            }
        }
        this.trusted = trusted.stream().map(String::trim).toList();
    }

    public String of(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "0.0.0.0" : request.remoteAddress().hostAddress();
        return resolve(peer, request.headers().getAll("X-Forwarded-For"), trusted);
    }

    /** The caller's address given the peer and every {@code X-Forwarded-For} line in order. */
    public static String resolve(String peer, List<String> forwardedLines, List<String> trusted) {
        if (!trusts(trusted, peer) || forwardedLines == null || forwardedLines.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String line : forwardedLines) {
            for (String hop : line.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        String believed = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (IpRules.problem(hop) != null || hop.contains("/")) {
                return believed;
            }
            if (!trusts(trusted, hop)) {
                return hop;
            }
            believed = hop;
        }
        return believed;
    }

    /** No trusted proxies means none: unlike a key's allow-list, an empty list allows nothing here. */
    private static boolean trusts(List<String> trusted, String ip) {
        return !trusted.isEmpty() && IpRules.allows(trusted, ip);
    }
}
