package io.tollgate.kit.pages;

import io.quarkus.qute.Template;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders a hosted page (a Qute template that includes {@code pages/layout}) into an answer with
 * the page headers. The page's stylesheet is the kit's {@code pages/pages.css} after the brand's
 * variables, inlined in one {@code <style>} element and allowed by its hash, so a page loads no
 * other file and runs no script. Services with pages declare {@code quarkus-qute} themselves.
 */
public final class PageResponse {

    public static final MediaType HTML = new MediaType("text", "html", "utf-8");
    private static final String BASE_CSS = load("pages/pages.css");
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    private PageResponse() {
    }

    /** The stylesheet of a page in {@code brand}'s look. */
    public static String css(Brand brand) {
        return ":root{--brand:" + brand.primary() + ";--on-brand:" + brand.onPrimary() + ";--link:" + brand.link() + ";--font:"
                + brand.font() + "}\n" + BASE_CSS;
    }

    public static Response render(Template template, PageView view) {
        return render(template, view.status(), view.brand(), view.data());
    }

    /** {@code template} rendered with {@code data}, the brand and its stylesheet, as an answer of {@code status}. */
    public static Response render(Template template, int status, Brand brand, Map<String, Object> data) {
        String css = css(brand);
        Map<String, Object> all = new HashMap<>(data);
        all.put("brand", brand);
        all.put("css", css);
        all.putIfAbsent("refresh", null);
        String html = template.data(all).render();
        Response.ResponseBuilder answer = Response.status(status).type(HTML).entity(html)
                .header("Content-Security-Policy", PageHeaders.csp(HASHES.computeIfAbsent(css, PageResponse::sha256), brand.logoOrigin()));
        PageHeaders.common().forEach(answer::header);
        return answer.build();
    }

    static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String load(String resource) {
        try (InputStream in = PageResponse.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
