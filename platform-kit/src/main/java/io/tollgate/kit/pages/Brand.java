package io.tollgate.kit.pages;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A tenant's look on our hosted pages, from the branding identity keeps (the same keys its mail
 * uses): name, logo, primary colour, font and footer. Every value is checked before it reaches a
 * page: the colour must be {@code #RRGGBB}, the font a plain family list, the logo an https URL,
 * and the footer keeps only text, line breaks, emphasis and https links. Text on the brand colour is
 * black or white, whichever contrasts more, and links fall back to a dark grey when the brand
 * colour is too light to read on white (WCAG AA, 4.5:1).
 */
public record Brand(String name, String primary, String onPrimary, String link, String font, String logoUrl, String footerHtml,
                    String supportUrl) {

    public static final String DEFAULT_NAME = "Tollgate";
    public static final String DEFAULT_PRIMARY = "#3b5bdb";
    public static final String DEFAULT_FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

    private static final Pattern COLOUR = Pattern.compile("^#[0-9A-Fa-f]{6}$");
    private static final Pattern FONT = Pattern.compile("^[A-Za-z0-9 ,'\"-]{1,100}$");
    private static final Pattern HTTPS = Pattern.compile("^https://[^\\s\"'<>]{1,490}$");
    private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z]+)([^>]*)>");
    private static final Pattern HREF = Pattern.compile("href\\s*=\\s*\"(https://[^\"\\s<>]+)\"");

    /** Tollgate's own look, for a tenant we do not know. */
    public static Brand defaults() {
        return of(null, Map.of());
    }

    /** The look of a tenant named {@code tenantName} whose stored branding is {@code branding} (snake_case keys). */
    public static Brand of(String tenantName, Map<String, ?> branding) {
        Map<String, ?> b = branding == null ? Map.of() : branding;
        String name = text(b, "display_name");
        if (name == null) {
            name = tenantName == null || tenantName.isBlank() ? DEFAULT_NAME : tenantName;
        }
        String primary = text(b, "primary_color");
        primary = primary != null && COLOUR.matcher(primary).matches() ? primary.toLowerCase(Locale.ROOT) : DEFAULT_PRIMARY;
        String font = text(b, "font_family");
        font = font != null && FONT.matcher(font).matches() ? font : DEFAULT_FONT;
        String logo = https(text(b, "logo_url"));
        String footer = text(b, "email_footer_html");
        String onPrimary = contrast(primary, "#ffffff") >= contrast(primary, "#000000") ? "#ffffff" : "#000000";
        String link = contrast(primary, "#ffffff") >= 4.5 ? primary : "#1f2328";
        return new Brand(name, primary, onPrimary, link, font, logo, footer == null ? null : sanitize(footer),
                https(text(b, "support_url")));
    }

    /** The origin of the logo, for the page's {@code img-src}; null without a logo. */
    public String logoOrigin() {
        if (logoUrl == null) {
            return null;
        }
        int slash = logoUrl.indexOf('/', "https://".length());
        return slash < 0 ? logoUrl : logoUrl.substring(0, slash);
    }

    /**
     * The footer with only {@code br}, {@code p}, {@code strong}, {@code em}, {@code b}, {@code i} and
     * {@code a href="https://..."} kept; every other tag is dropped and the text is escaped.
     */
    static String sanitize(String html) {
        StringBuilder out = new StringBuilder();
        var m = TAG.matcher(html);
        int at = 0;
        while (m.find()) {
            out.append(escape(html.substring(at, m.start())));
            String closing = m.group(1);
            String tag = m.group(2).toLowerCase(Locale.ROOT);
            switch (tag) {
                case "br" -> out.append("<br>");
                case "p", "strong", "em", "b", "i" -> out.append('<').append(closing).append(tag).append('>');
                case "a" -> {
                    if (!closing.isEmpty()) {
                        out.append("</a>");
                    } else {
                        var href = HREF.matcher(m.group(3));
                        out.append(href.find() ? "<a href=\"" + escape(href.group(1)) + "\">" : "<a>");
                    }
                }
                default -> {
                    // dropped
                }
            }
            at = m.end();
        }
        out.append(escape(html.substring(at)));
        return out.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String https(String url) {
        return url != null && HTTPS.matcher(url).matches() ? url : null;
    }

    private static String text(Map<String, ?> map, String key) {
        Object v = map.get(key);
        return v instanceof String s && !s.isBlank() ? s.strip() : null;
    }

    /** WCAG 2.x contrast ratio of two {@code #RRGGBB} colours. */
    public static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String hex) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        return 0.2126 * channel((rgb >> 16) & 0xff) + 0.7152 * channel((rgb >> 8) & 0xff) + 0.0722 * channel(rgb & 0xff);
    }

    private static double channel(int c) {
        double s = c / 255.0;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }
}
