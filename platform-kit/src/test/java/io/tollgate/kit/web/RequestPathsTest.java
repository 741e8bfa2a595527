package io.tollgate.kit.web;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestPathsTest {

    private static String normal(String raw) {
        RequestPaths.Normal n = RequestPaths.normalise(raw);
        assertFalse(n.refused(), raw + " was refused: " + n.refusal());
        return n.path();
    }

    private static void refused(String raw) {
        assertTrue(RequestPaths.normalise(raw).refused(), raw + " was accepted as " + RequestPaths.normalise(raw).path());
    }

    @Test
    void dot_segments_are_removed_in_every_spelling() {
        assertEquals("/internal/tokens", normal("/.well-known/../internal/tokens"));
        assertEquals("/internal/tokens", normal("/.well-known/%2e%2e/internal/tokens"));
        assertEquals("/internal/tokens", normal("/.well-known/%2E%2e/internal/tokens"));
        assertEquals("/v1/billing/top-ups", normal("/v1/billing/alerts/../top-ups"));
        assertEquals("/v1/me", normal("/v1/./me"));
        assertEquals("/v1/me", normal("/v1/%2e/me"));
        assertEquals("/", normal("/v1/.."));
    }

    @Test
    void ordinary_paths_are_kept_and_escapes_are_written_one_way() {
        assertEquals("/v1/models/kling-video/v2.6/pro/text-to-video", normal("/v1/models/kling-video/v2.6/pro/text-to-video"));
        assertEquals("/v1/me", normal("/%76%31/me"));
        assertEquals("/v1/a%20b", normal("/v1/a%20b"));
        assertEquals("/v1/%C3%A9", normal("/v1/%c3%a9"));
        assertEquals("/v1/me/", normal("/v1/me/"));
        assertEquals("/", normal("/"));
        assertFalse(RequestPaths.normalise("/v1/me").changed());
        assertTrue(RequestPaths.normalise("/v1/x/../me").changed());
    }

    @Test
    void what_could_be_read_two_ways_is_refused() {
        refused("/../v1/me");
        refused("/v1/../../internal");
        refused("/v1/a%2Fb");
        refused("/v1/a%2fb");
        refused("/v1/a%5Cb");
        refused("/v1/a\\b");
        refused("/v1/a%00b");
        refused("/v1/a%0Ab");
        refused("/v1/x;/../y");
        refused("/v1/..;/internal");
        refused("/v1//x");
        refused("/v1/%zz");
        refused("/v1/%c3");
        refused("/v1/%");
        refused("v1/me");
        refused("");
        refused("/v1/" + "a".repeat(5000));
    }

    @Test
    void a_service_refuses_any_dot_segment_but_accepts_harmless_escapes() {
        assertNotNull(RequestPaths.problem("/v1/x/../y"));
        assertNotNull(RequestPaths.problem("/v1/%2e%2e/y"));
        assertNotNull(RequestPaths.problem("/v1/./y"));
        assertNull(RequestPaths.problem("/v1/a%20b"));
        assertNull(RequestPaths.problem("/v1/models/a/b.c"));
    }

    @Test
    void control_characters_in_a_query_are_found() {
        assertTrue(RequestPaths.queryHasControl("name=a%00b"));
        assertTrue(RequestPaths.queryHasControl("name=a%0d%0aSet-Cookie"));
        assertFalse(RequestPaths.queryHasControl("name=a%20b&page=2"));
        assertFalse(RequestPaths.queryHasControl(null));
        assertFalse(RequestPaths.queryHasControl("trailing=%"));
    }
}
