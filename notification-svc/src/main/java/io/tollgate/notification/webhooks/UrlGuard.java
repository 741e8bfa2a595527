package io.tollgate.notification.webhooks;

import io.tollgate.kit.net.IpRules;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps webhooks away from our own network. A URL is resolved and every address it resolves to
 * must be public (or inside the deployment's allow-list); the caller then connects to the address
 * that was checked, so a DNS answer that changes between check and connect cannot redirect it.
 * Run on every create, update and attempt.
 */
@ApplicationScoped
public class UrlGuard {

    public static final int MAX_URL_LENGTH = 2048;

    /**
     * Loopback, private, link-local, CGNAT, metadata, documentation, multicast, reserved; v6 likewise.
     * IPv4-mapped v6 addresses need no rule: Java reads them as the IPv4 address they carry.
     */
    static final List<String> FORBIDDEN = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32",
            "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8");

    /** A URL that passed: where to connect and what to call it. */
    public record Target(URI uri, String host, int port, boolean tls, InetAddress address, String requestUri) {
    }

    /** Resolves host names; a seam so tests can answer like a rebinding DNS server would. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowHttp;
    private final List<String> allowedPrivate;
    private volatile Resolver resolver = InetAddress::getAllByName;

    public UrlGuard(@ConfigProperty(name = "tollgate.notification.webhooks.allow-http", defaultValue = "false") boolean allowHttp,
                    @ConfigProperty(name = "tollgate.notification.webhooks.allowed-private-cidrs")
                    Optional<List<String>> allowedPrivate) {
        this.allowHttp = allowHttp;
        this.allowedPrivate = allowedPrivate.orElse(List.of()).stream().filter(s -> !s.isBlank()).map(String::trim).toList();
        for (String rule : this.allowedPrivate) {
            String problem = IpRules.problem(rule);
            if (problem != null) {
                throw new IllegalStateException("tollgate.notification.webhooks.allowed-private-cidrs: '" + rule + "' " + problem);
            }
        }
    }

    /** For tests: answer DNS questions another way. */
    public void resolver(Resolver resolver) {
        this.resolver = resolver;
    }

    /** The URL's shape only (no DNS): scheme, host, no credentials, length. */
    public URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw refused("is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw refused("must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw refused("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw refused(allowHttp ? "must be an http or https URL" : "must be an https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw refused("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            throw refused("must not have a fragment");
        }
        return uri;
    }

    /** Parses, resolves and checks; the target's address is the one to connect to. */
    public Target check(String url) {
        URI uri = parse(url);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw refused("has a host that does not resolve");
        }
        if (addresses.length == 0) {
            throw refused("has a host that does not resolve");
        }
        for (InetAddress address : addresses) {
            if (forbidden(address)) {
                throw refused("resolves to a private, loopback or reserved address (" + address.getHostAddress() + ")");
            }
        }
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String requestUri = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Target(uri, host, port, tls, addresses[0], requestUri);
    }

    boolean forbidden(InetAddress address) {
        return IpRules.matches(FORBIDDEN, address) && !IpRules.matches(allowedPrivate, address);
    }

    private static ProblemException refused(String message) {
        return new ProblemException(400, "WEBHOOK_URL_REFUSED", "Webhook URL refused", "The url " + message + ".",
                List.of(new Problem.FieldError("url", message, null)), Map.of(), Map.of());
    }
}
