package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.auth.AuthFailure;
import io.tollgate.gateway.auth.Caller;
import io.tollgate.gateway.limits.Limit;
import io.tollgate.gateway.limits.LimitsConfig;
import io.tollgate.gateway.policy.Access;
import io.tollgate.gateway.policy.RateClass;
import io.tollgate.gateway.policy.RoutePolicies;
import io.tollgate.gateway.policy.RoutePolicy;
import io.tollgate.gateway.routing.RouteTable;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each step of the door alone, without a server: what it decides from what it is given. */
class PipelineStepsTest {

    private static final RoutePolicy JSON_ROUTE = new RoutePolicy(Access.USER, "billing:write", RateClass.PURCHASE, 1024, true);

    private static Caller key(String... scopes) {
        return new Caller("token", "user-1", "tenant-1", null, "key-1", Caller.Source.API_KEY, Set.of(scopes), Set.of("customer"),
                0, 0, 0);
    }

    private static Caller user(String... groups) {
        return new Caller("token", "user-1", "tenant-1", "session-1", null, Caller.Source.JWT, Set.of(), Set.of(groups), 0, 0, 0);
    }

    @Test
    void the_door_guard_reads_one_path_and_refuses_the_rest() {
        DoorGuard guard = new DoorGuard(new RouteTable());
        assertEquals("/v1/me", guard.read("/.well-known/../v1/me", "/.well-known/../v1/me", null, List.of()).path());
        assertEquals(404, guard.read("/.well-known/../internal/tokens", "/.well-known/../internal/tokens", null, List.of())
                .refusal().status());
        assertEquals(404, guard.read("/q/metrics", "/q/metrics", null, List.of()).refusal().status());
        assertEquals("INVALID_PATH", guard.read("/v1/a%2Fb", "/v1/a%2Fb", null, List.of()).refusal().code());
        assertEquals("INVALID_PATH", guard.read("/v1/me?x=%00", "/v1/me", "x=%00", List.of()).refusal().code());
        assertEquals(414, guard.read("/v1/me?" + "a".repeat(9000), "/v1/me", "a", List.of()).refusal().status());
        assertEquals(431, guard.read("/v1/me", "/v1/me", null, List.of(Map.entry("X-Big", "a".repeat(17_000)))).refusal().status());
        // an ordinary unknown path is left to the router (its own 404), a resolved one to nobody's route is refused here
        assertEquals("/v1/nobody", guard.read("/v1/nobody", "/v1/nobody", null, List.of()).path());
        assertEquals(404, guard.read("/v1/x/../nobody", "/v1/x/../nobody", null, List.of()).refusal().status());
        assertNull(DoorGuard.saneRequestId("bad id with spaces"));
        assertEquals("req-1", DoorGuard.saneRequestId("req-1"));
    }

    @Test
    void every_services_dead_letters_are_routed_under_its_admin_prefix_and_admin_only() {
        RouteTable routes = new RouteTable();
        RoutePolicies policies = new RoutePolicies();
        Map<String, String> prefixes = Map.of("identity", "/v1/admin/identity", "billing", "/v1/admin/billing",
                "proxy", "/v1/admin/proxy", "render", "/v1/admin/render", "notification", "/v1/admin/notifications");
        prefixes.forEach((service, prefix) -> {
            String path = prefix + "/dead-letters/00000000-0000-0000-0000-000000000001/replay";
            assertEquals(service, routes.match(path).orElseThrow().upstream(), path);
            RoutePolicy policy = policies.match(HttpMethod.POST, path);
            assertEquals("ADMIN_ONLY", assertThrows(AuthFailure.class, () -> Authenticator.authorize(policy, user("customer"))).code());
        });
    }

    @Test
    void body_rules_refuse_a_declared_overflow_and_a_non_json_body_on_a_json_route() {
        BodyRules rules = new BodyRules();
        assertEquals(413, rules.check(JSON_ROUTE, "1025", null, "application/json").orElseThrow().status());
        assertEquals(400, rules.check(JSON_ROUTE, "ten", null, "application/json").orElseThrow().status());
        assertEquals(415, rules.check(JSON_ROUTE, "10", null, "text/plain").orElseThrow().status());
        assertEquals(415, rules.check(JSON_ROUTE, null, "chunked", null).orElseThrow().status());
        assertTrue(rules.check(JSON_ROUTE, "10", null, "application/merge-patch+json; charset=utf-8").isEmpty());
        assertTrue(rules.check(JSON_ROUTE, null, null, null).isEmpty(), "no body, no type needed");
    }

    @Test
    void the_routes_rule_holds_keys_to_scopes_and_keeps_them_off_jwt_only_and_admin_routes() {
        RoutePolicies policies = new RoutePolicies();
        RoutePolicy purchase = policies.match(HttpMethod.POST, "/v1/billing/purchases");
        assertEquals("INSUFFICIENT_SCOPE", assertThrows(AuthFailure.class,
                () -> Authenticator.authorize(purchase, key("billing:read"))).code());
        Authenticator.authorize(purchase, key("billing:write"));
        RoutePolicy keys = policies.match(HttpMethod.POST, "/v1/api-keys");
        assertEquals("JWT_ONLY", assertThrows(AuthFailure.class, () -> Authenticator.authorize(keys, key("billing:write"))).code());
        Authenticator.authorize(keys, user("customer"));
        RoutePolicy admin = policies.match(HttpMethod.GET, "/v1/admin/users");
        assertEquals("ADMIN_ONLY", assertThrows(AuthFailure.class, () -> Authenticator.authorize(admin, user("customer"))).code());
        Authenticator.authorize(admin, user("admin"));
        assertNull(Authenticator.bearer("Basic abc"));
        assertEquals("tok", Authenticator.bearer("bearer  tok "));
    }

    @Test
    void proxy_inventory_and_the_rotation_link_are_public_ports_need_proxy_scopes_and_proxy_admin_is_admin_only() {
        RoutePolicies policies = new RoutePolicies();
        for (String path : List.of("/v1/proxy/countries", "/v1/proxy/countries/US/cities", "/v1/proxy/countries/US/carriers",
                "/v1/proxy/availability", "/v1/proxy/pool/availability", "/v1/proxy/pool/stock", "/v1/rotate/abc")) {
            assertTrue(policies.match(HttpMethod.GET, path).isPublic(), path);
        }
        assertEquals("proxy:read", policies.match(HttpMethod.GET, "/v1/proxy/pool/credentials").scope());
        assertEquals("proxy:write", policies.match(HttpMethod.POST, "/v1/ports").scope());
        assertEquals("proxy:read", policies.match(HttpMethod.GET, "/v1/ports/x/rotation-history").scope());
        assertEquals("proxy:write", policies.match(HttpMethod.POST, "/v1/ports/x/rotate").scope());
        RoutePolicy admin = policies.match(HttpMethod.POST, "/v1/admin/proxy/devices");
        assertEquals("ADMIN_ONLY", assertThrows(AuthFailure.class, () -> Authenticator.authorize(admin, user("customer"))).code());
    }

    @Test
    void limits_count_addresses_on_auth_routes_and_users_and_keys_elsewhere() {
        RouteLimits limits = new RouteLimits(null, new LimitsConfig() {
            public Duration window() {
                return Duration.ofMinutes(1);
            }

            public long authPerIp() {
                return 5;
            }

            public long publicPerIp() {
                return 600;
            }

            public long general() {
                return 200;
            }

            public long ports() {
                return 100;
            }

            public long purchase() {
                return 10;
            }

            public long admin() {
                return 60;
            }
        });
        RoutePolicies policies = new RoutePolicies();
        List<Limit> login = limits.buckets(policies.match(HttpMethod.POST, "/v1/auth/login"), null, "198.51.100.7");
        assertEquals(List.of(new Limit("auth", "rl:ip:auth:198.51.100.7", 5, 60_000)), login);
        List<Limit> purchase = limits.buckets(policies.match(HttpMethod.POST, "/v1/billing/purchases"), key("billing:write"), "ip");
        assertEquals(2, purchase.size());
        assertEquals(new Limit("purchase", "rl:user:user-1:purchase", 10, 60_000), purchase.get(0));
        assertEquals(new Limit("key", "rl:key:key-1", RouteLimits.DEFAULT_KEY_RPM, 60_000), purchase.get(1));
        assertTrue(limits.buckets(policies.match(HttpMethod.POST, "/v1/billing/webhooks/stripe"), null, "ip").isEmpty());
    }

    @Test
    void upstream_headers_carry_the_verified_token_and_nothing_the_caller_forged() {
        MultiMap incoming = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer tg_live_forged").add("X-User-Id", "someone").add("X-Forwarded-For", "1.2.3.4")
                .add("Forwarded", "for=1.2.3.4").add("Connection", "keep-alive").add("Accept", "application/json");
        MultiMap out = new UpstreamHeaders().build(incoming, user("customer"),
                new UpstreamHeaders.Context("req-1", "00-trace-span-01", "198.51.100.7", "https", "api.example.com"));
        assertEquals("Bearer token", out.get("Authorization"));
        assertEquals("198.51.100.7", out.get("X-Forwarded-For"));
        assertEquals("req-1", out.get("X-Request-Id"));
        assertEquals("api.example.com", out.get("X-Forwarded-Host"));
        assertEquals("application/json", out.get("Accept"));
        assertFalse(out.contains("X-User-Id") || out.contains("Forwarded") || out.contains("Connection"));
        // a public route: a key the caller sent is not passed on
        MultiMap anonymous = new UpstreamHeaders().build(incoming, null,
                new UpstreamHeaders.Context("req-2", "tp", "ip", "http", null));
        assertNull(anonymous.get("Authorization"));
        assertFalse(UpstreamHeaders.relayed("RateLimit") || UpstreamHeaders.relayed("Access-Control-Allow-Origin"));
        assertTrue(UpstreamHeaders.relayed("Location"));
    }
}
