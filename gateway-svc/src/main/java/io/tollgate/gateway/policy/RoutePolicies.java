package io.tollgate.gateway.policy;

import io.vertx.core.http.HttpMethod;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public API's access rules, first match wins. Paths use {@code *} for one segment and a
 * trailing {@code **} for any rest (including none). Anything under {@code /v1} that no rule names
 * falls to the last rule, JWT-only: a new upstream route is closed to API keys until someone
 * decides otherwise here.
 */
@Singleton
public class RoutePolicies {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    public static final long DEFAULT_BODY = MIB;

    private record Rule(Set<String> methods, String[] segments, boolean rest, RoutePolicy policy) {
        boolean matches(String method, String[] path) {
            if (!methods.isEmpty() && !methods.contains(method)) {
                return false;
            }
            if (rest ? path.length < segments.length : path.length != segments.length) {
                return false;
            }
            for (int i = 0; i < segments.length; i++) {
                if (!"*".equals(segments[i]) && !segments[i].equals(path[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final RoutePolicy FALLBACK = new RoutePolicy(Access.JWT_ONLY, null, RateClass.GENERAL, DEFAULT_BODY, true);

    private final List<Rule> rules = new ArrayList<>();
    private final Node trie = new Node();

    public RoutePolicies() {
        // identity-svc
        add("*", "/.well-known/**", Access.PUBLIC, null, RateClass.PUBLIC);
        for (String p : List.of("/v1/auth/register", "/v1/auth/login", "/v1/auth/mfa/challenge",
                "/v1/auth/password/reset/request", "/v1/auth/password/reset/confirm", "/v1/auth/verify/email",
                "/v1/auth/verify/resend")) {
            add("POST", p, Access.PUBLIC, null, RateClass.AUTH);
        }
        add("POST", "/v1/auth/refresh", Access.PUBLIC, null, RateClass.PUBLIC);
        add("*", "/v1/auth/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("GET", "/v1/me", Access.USER, "account:read", RateClass.GENERAL);
        // render-svc's parts of /v1/me: a key may read its activity; uploads are session only, large and multipart
        add("GET", "/v1/me/activity/**", Access.USER, "render:read", RateClass.GENERAL);
        add("GET", "/v1/me/render-limits", Access.USER, "render:read", RateClass.GENERAL);
        rules.add(rule("POST", "/v1/me/uploads", new RoutePolicy(Access.JWT_ONLY, null, RateClass.GENERAL, 50 * MIB, false)));
        add("*", "/v1/me/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("*", "/v1/api-keys/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("GET", "/v1/tenants/by-slug/*", Access.PUBLIC, null, RateClass.PUBLIC);
        add("*", "/v1/tenants/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("*", "/v1/admin/**", Access.ADMIN, null, RateClass.ADMIN);

        // billing-svc: provider webhooks arrive unauthenticated with their own signatures
        rules.add(rule("POST", "/v1/billing/webhooks/*", new RoutePolicy(Access.PUBLIC, null, RateClass.NONE, 256 * KIB, false)));
        add("*", "/v1/billing/top-ups/**", Access.JWT_ONLY, null, RateClass.PURCHASE);
        add("*", "/v1/billing/payment-methods/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("*", "/v1/billing/auto-topup/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("*", "/v1/billing/promo-codes/**", Access.JWT_ONLY, null, RateClass.GENERAL);
        add("POST", "/v1/billing/calculate-price", Access.USER, "billing:read", RateClass.GENERAL);
        add("POST", "/v1/billing/purchases/**", Access.USER, "billing:write", RateClass.PURCHASE);
        add("GET", "/v1/billing/**", Access.USER, "billing:read", RateClass.GENERAL);
        add("*", "/v1/billing/subscription/**", Access.USER, "billing:write", RateClass.PURCHASE);
        add("*", "/v1/billing/alerts/**", Access.USER, "billing:write", RateClass.GENERAL);
        add("*", "/v1/billing/**", Access.JWT_ONLY, null, RateClass.GENERAL);

        // notification-svc
        // RFC 8058 one-click: a mail client POSTs "List-Unsubscribe=One-Click" as a form, without credentials
        rules.add(rule("POST", "/v1/unsubscribe/*", new RoutePolicy(Access.PUBLIC, null, RateClass.PUBLIC, 4 * KIB, false)));
        add("*", "/v1/unsubscribe/**", Access.PUBLIC, null, RateClass.PUBLIC);
        add("GET", "/v1/webhooks/**", Access.USER, "webhooks:read", RateClass.GENERAL);
        add("*", "/v1/webhooks/**", Access.USER, "webhooks:write", RateClass.GENERAL);
        add("GET", "/v1/notifications/**", Access.USER, "account:read", RateClass.GENERAL);
        add("GET", "/v1/email-preferences/**", Access.USER, "account:read", RateClass.GENERAL);

        // proxy-svc: the public rotation link carries its own token and cooldown
        add("GET", "/v1/rotate/*", Access.PUBLIC, null, RateClass.PUBLIC);
        for (String p : List.of("/v1/proxy/availability/**", "/v1/proxy/stock/**", "/v1/proxy/incidents/**",
                "/v1/proxy/countries/**", "/v1/proxy/pool/availability", "/v1/proxy/pool/stock")) {
            add("GET", p, Access.PUBLIC, null, RateClass.PUBLIC);
        }
        add("GET", "/v1/ports/**", Access.USER, "proxy:read", RateClass.PORTS);
        add("*", "/v1/ports/**", Access.USER, "proxy:write", RateClass.PORTS);
        add("GET", "/v1/devices/**", Access.USER, "proxy:read", RateClass.GENERAL);
        add("GET", "/v1/proxy/**", Access.USER, "proxy:read", RateClass.GENERAL);
        add("*", "/v1/proxy/**", Access.USER, "proxy:write", RateClass.GENERAL);

        // render-svc: the model catalogue is public; estimates and jobs need render scopes; assets are
        // public behind their signed links; uploads (session only) may be large and are not JSON
        // render providers' completion callbacks arrive unauthenticated, signed (render-svc checks the signature)
        rules.add(rule("POST", "/v1/render/callbacks/*", new RoutePolicy(Access.PUBLIC, null, RateClass.NONE, 1024 * KIB, false)));
        add("POST", "/v1/models/**", Access.USER, "render:read", RateClass.GENERAL);
        add("GET", "/v1/models/**", Access.PUBLIC, null, RateClass.PUBLIC);
        add("GET", "/v1/assets/*", Access.PUBLIC, null, RateClass.PUBLIC);
        add("PUT", "/v1/queue/**", Access.USER, "render:cancel", RateClass.GENERAL);
        add("GET", "/v1/queue/**", Access.USER, "render:read", RateClass.GENERAL);
        add("POST", "/v1/queue/**", Access.USER, "render:create", RateClass.GENERAL);
        add("POST", "/v1/run/**", Access.USER, "render:create", RateClass.GENERAL);
        add("POST", "/v1/jobs/*/cancel", Access.USER, "render:cancel", RateClass.GENERAL);
        add("DELETE", "/v1/jobs/*", Access.USER, "render:cancel", RateClass.GENERAL);
        add("GET", "/v1/jobs/**", Access.USER, "render:read", RateClass.GENERAL);
        add("GET", "/v1/render/**", Access.USER, "render:read", RateClass.GENERAL);
        add("GET", "/v1/uploads/**", Access.USER, "render:read", RateClass.GENERAL);
        rules.add(rule("POST", "/v1/uploads/**", new RoutePolicy(Access.USER, "render:create", RateClass.GENERAL, 50 * MIB, false)));
        add("POST", "/v1/jobs/**", Access.USER, "render:create", RateClass.GENERAL);
        add("POST", "/v1/render/**", Access.USER, "render:create", RateClass.GENERAL);

        add("*", "/v1/**", Access.JWT_ONLY, null, RateClass.GENERAL);

        // Hosted pages (outside /v1): public, no credential, forms instead of JSON. The forms that try a
        // code, set a password or send a mail count against the per-address auth bucket, as their API routes do.
        for (String p : List.of("/", "/verify-email", "/reset-password", "/email-preferences", "/unsubscribe", "/billing/payments/*")) {
            add("GET", p, Access.PUBLIC, null, RateClass.PUBLIC);
        }
        for (String p : List.of("/verify-email", "/reset-password")) {
            rules.add(rule("POST", p, new RoutePolicy(Access.PUBLIC, null, RateClass.AUTH, 16 * KIB, false)));
        }
        for (String p : List.of("/email-preferences", "/unsubscribe")) {
            rules.add(rule("POST", p, new RoutePolicy(Access.PUBLIC, null, RateClass.PUBLIC, 16 * KIB, false)));
        }
        for (int i = 0; i < rules.size(); i++) {
            trie.add(i);
        }
    }

    public RoutePolicy match(HttpMethod method, String path) {
        String[] segments = split(path);
        String name = method == HttpMethod.HEAD ? "GET" : method.name();
        int first = trie.first(name, segments, 0, Integer.MAX_VALUE);
        return first == Integer.MAX_VALUE ? FALLBACK : rules.get(first).policy();
    }

    /** The same answer as {@link #match}, found by trying every rule in order: what the trie must agree with. */
    RoutePolicy matchByScan(HttpMethod method, String path) {
        String[] segments = split(path);
        String name = method == HttpMethod.HEAD ? "GET" : method.name();
        for (Rule rule : rules) {
            if (rule.matches(name, segments)) {
                return rule.policy();
            }
        }
        return FALLBACK;
    }

    /** The patterns of every rule, for tests that walk them. */
    List<String> patterns() {
        List<String> patterns = new ArrayList<>(rules.size());
        for (Rule rule : rules) {
            patterns.add("/" + String.join("/", rule.segments()) + (rule.rest() ? "/**" : ""));
        }
        return patterns;
    }

    /**
     * The rules by their segments, built once: a path walks down its own literal segments and the
     * {@code *} branches only, and of every rule it reaches the first (lowest index) wins, as in a scan.
     */
    private final class Node {
        private final Map<String, Node> literal = new HashMap<>();
        private Node wildcard;
        /** Rules (by index, ascending) whose pattern ends here, and those ending here in {@code /**}. */
        private int[] exact = new int[0];
        private int[] rest = new int[0];

        void add(int index) {
            Rule rule = rules.get(index);
            Node node = this;
            for (String segment : rule.segments()) {
                if ("*".equals(segment)) {
                    node = node.wildcard == null ? (node.wildcard = new Node()) : node.wildcard;
                } else {
                    node = node.literal.computeIfAbsent(segment, k -> new Node());
                }
            }
            if (rule.rest()) {
                node.rest = append(node.rest, index);
            } else {
                node.exact = append(node.exact, index);
            }
        }

        private static int[] append(int[] indexes, int index) {
            int[] longer = Arrays.copyOf(indexes, indexes.length + 1);
            longer[indexes.length] = index;
            return longer;
        }

        int first(String method, String[] path, int depth, int best) {
            best = firstOf(rest, method, best);
            if (depth == path.length) {
                return firstOf(exact, method, best);
            }
            Node next = literal.get(path[depth]);
            if (next != null) {
                best = next.first(method, path, depth + 1, best);
            }
            if (wildcard != null) {
                best = wildcard.first(method, path, depth + 1, best);
            }
            return best;
        }

        private int firstOf(int[] indexes, String method, int best) {
            for (int index : indexes) {
                if (index >= best) {
                    break;
                }
                Set<String> methods = rules.get(index).methods();
                if (methods.isEmpty() || methods.contains(method)) {
                    return index;
                }
            }
            return best;
        }
    }

    private void add(String methods, String pattern, Access access, String scope, RateClass rateClass) {
        rules.add(rule(methods, pattern, new RoutePolicy(access, scope, rateClass, DEFAULT_BODY, true)));
    }

    private static Rule rule(String methods, String pattern, RoutePolicy policy) {
        boolean rest = pattern.endsWith("/**");
        String fixed = rest ? pattern.substring(0, pattern.length() - 3) : pattern;
        Set<String> verbs = "*".equals(methods) ? Set.of() : Set.of(methods.split(","));
        return new Rule(verbs, split(fixed), rest, policy);
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
