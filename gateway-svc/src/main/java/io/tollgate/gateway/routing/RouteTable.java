package io.tollgate.gateway.routing;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which service owns which public path. The longest matching prefix wins, and a prefix matches
 * only at a segment boundary ({@code /v1/me} does not match {@code /v1/media}).
 */
@ApplicationScoped
public class RouteTable {

    public record Route(String prefix, String upstream) {
    }

    private static final Map<String, List<String>> OWNERS = Map.of(
            "identity", List.of("/v1/auth", "/v1/me", "/v1/api-keys", "/v1/tenants", "/v1/admin/users",
                    "/.well-known"),
            "billing", List.of("/v1/billing", "/v1/admin/billing"),
            "proxy", List.of("/v1/ports", "/v1/devices", "/v1/proxy", "/v1/rotate", "/v1/admin/proxy"),
            "render", List.of("/v1/models", "/v1/queue", "/v1/run", "/v1/jobs", "/v1/assets", "/v1/me/uploads", "/v1/me/activity",
                    "/v1/render", "/v1/uploads", "/v1/admin/render"),
            "notification", List.of("/v1/notifications", "/v1/email-preferences", "/v1/unsubscribe", "/v1/webhooks",
                    "/v1/admin/notifications"));

    private final List<Route> routes;

    public RouteTable() {
        this.routes = OWNERS.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(prefix -> new Route(prefix, e.getKey())))
                .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed())
                .toList();
    }

    public Optional<Route> match(String path) {
        for (Route route : routes) {
            if (path.equals(route.prefix()) || path.startsWith(route.prefix() + "/")) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    public static List<String> services() {
        return List.of("identity", "billing", "proxy", "render", "notification");
    }
}
