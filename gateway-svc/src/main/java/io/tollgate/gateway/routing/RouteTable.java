package io.tollgate.gateway.routing;

import jakarta.inject.Singleton;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which service owns which public path. The longest matching prefix wins, and a prefix matches
 * only at a segment boundary ({@code /v1/me} does not match {@code /v1/media}). Besides the API under
 * {@code /v1} and identity's discovery documents, the hosted pages our mail links to live at the
 * root, each owned by the service whose data it shows ({@link #PAGES}); {@code /} matches only itself.
 */
@Singleton
public class RouteTable {

    public record Route(String prefix, String upstream) {
        /** A hosted page (HTML for a browser), not the API. */
        public boolean page() {
            return PAGES.contains(prefix);
        }
    }

    /** The hosted pages: the landing, verify e-mail, reset password, mail preferences, unsubscribe, the payment page. */
    public static final List<String> PAGES = List.of("/", "/verify-email", "/reset-password", "/email-preferences", "/unsubscribe",
            "/billing/payments");

    private static final Map<String, List<String>> OWNERS = Map.of(
            "identity", List.of("/v1/auth", "/v1/me", "/v1/api-keys", "/v1/tenants", "/v1/admin/users",
                    "/v1/admin/identity", "/.well-known", "/", "/verify-email", "/reset-password"),
            "billing", List.of("/v1/billing", "/v1/admin/billing", "/billing/payments"),
            "proxy", List.of("/v1/ports", "/v1/devices", "/v1/proxy", "/v1/rotate", "/v1/admin/proxy"),
            "render", List.of("/v1/models", "/v1/queue", "/v1/run", "/v1/jobs", "/v1/assets", "/v1/me/uploads", "/v1/me/activity", "/v1/me/render-limits",
                    "/v1/render", "/v1/uploads", "/v1/admin/render"),
            "notification", List.of("/v1/notifications", "/v1/email-preferences", "/v1/unsubscribe", "/v1/webhooks",
                    "/v1/admin/notifications", "/email-preferences", "/unsubscribe"));

    private final List<Route> routes;

    public RouteTable() {
        this.routes = OWNERS.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(prefix -> new Route(prefix, e.getKey())))
                .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed())
                .toList();
    }

    public Optional<Route> match(String path) {
        for (Route route : routes) {
            if (path.equals(route.prefix()) || (!route.prefix().equals("/") && path.startsWith(route.prefix() + "/"))) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    public static List<String> services() {
        return List.of("identity", "billing", "proxy", "render", "notification");
    }
}
