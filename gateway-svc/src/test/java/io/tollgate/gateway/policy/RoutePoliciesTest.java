package io.tollgate.gateway.policy;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The route trie answers every path as trying the rules in order would: first match wins. */
class RoutePoliciesTest {

    private final RoutePolicies policies = new RoutePolicies();

    @Test
    void the_trie_agrees_with_a_scan_of_the_rules_for_every_pattern_and_its_neighbours() {
        List<String> paths = new ArrayList<>(List.of("/", "/v1", "/v1/", "/v2/jobs", "/v1/unknown/x", "/billing/payments",
                "/v1/jobs/job_1", "/v1/jobs/job_1/cancel", "/v1/me", "/v1/me/uploads/x", "/v1/billing/webhooks/stripe/x"));
        for (String pattern : policies.patterns()) {
            String fixed = pattern.endsWith("/**") ? pattern.substring(0, pattern.length() - 3) : pattern;
            String concrete = fixed.replace("/*", "/id-1");
            paths.add(concrete.isEmpty() ? "/" : concrete);
            paths.add(concrete + "/more");
            paths.add(concrete + "/more/and-more");
            paths.add(fixed.replace("/*", "/"));
            int cut = concrete.lastIndexOf('/');
            if (cut > 0) {
                paths.add(concrete.substring(0, cut));
            }
        }
        int compared = 0;
        for (String path : paths) {
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
                    HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS)) {
                assertSame(policies.matchByScan(method, path), policies.match(method, path), method + " " + path);
                compared++;
            }
        }
        assertEquals(paths.size() * 7, compared);
    }

    @Test
    void known_routes_keep_their_rules() {
        assertEquals("render:read", policies.match(HttpMethod.GET, "/v1/jobs/job_1").scope());
        assertEquals("render:cancel", policies.match(HttpMethod.POST, "/v1/jobs/job_1/cancel").scope());
        assertEquals(Access.JWT_ONLY, policies.match(HttpMethod.GET, "/v1/api-keys").access());
        assertEquals(Access.JWT_ONLY, policies.match(HttpMethod.GET, "/v1/nothing/here").access());
        assertEquals(RateClass.AUTH, policies.match(HttpMethod.POST, "/v1/auth/login").rateClass());
        assertEquals(Access.PUBLIC, policies.match(HttpMethod.HEAD, "/v1/models/a/b").access());
    }
}
