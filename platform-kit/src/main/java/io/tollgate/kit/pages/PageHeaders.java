package io.tollgate.kit.pages;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers every hosted page carries, whoever serves it: nothing cached (the URL holds a token),
 * no referrer (so the token does not leak to a linked site), no framing, no sniffing. The content
 * security policy of a page allows no script at all, its one stylesheet by hash, images from
 * itself and the tenant's logo origin, and forms posting only to itself; {@link #FALLBACK_CSP} is
 * what the gateway sets on a page answer that came without one (an error, say).
 */
public final class PageHeaders {

    public static final String FALLBACK_CSP = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private PageHeaders() {
    }

    /** The headers besides the content security policy. */
    public static Map<String, String> common() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Cache-Control", "no-store");
        h.put("Pragma", "no-cache");
        h.put("Referrer-Policy", "no-referrer");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        h.put("Cross-Origin-Resource-Policy", "same-origin");
        h.put("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
        return h;
    }

    /** The policy of a page whose only style is {@code styleHash} (base64 SHA-256) and whose logo, if any, comes from {@code imageOrigin}. */
    public static String csp(String styleHash, String imageOrigin) {
        return "default-src 'none'; style-src 'sha256-" + styleHash + "'; img-src 'self'" + (imageOrigin == null ? "" : " " + imageOrigin)
                + "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    }
}
