package io.tollgate.identity.tenants;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.LinkedHashMap;
import java.util.Map;

/** A tenant's look in the UI and in its mail. Colours are #RRGGBB; links are https. */
public record Branding(
        @Size(max = 100) String displayName,
        @Pattern(regexp = URL, message = URL_MESSAGE) @Size(max = 500) String logoUrl,
        @Pattern(regexp = URL, message = URL_MESSAGE) @Size(max = 500) String faviconUrl,
        @Pattern(regexp = COLOUR, message = COLOUR_MESSAGE) String primaryColor,
        @Pattern(regexp = COLOUR, message = COLOUR_MESSAGE) String secondaryColor,
        @Pattern(regexp = COLOUR, message = COLOUR_MESSAGE) String accentColor,
        @Size(max = 100) String fontFamily,
        @Size(max = 100) String emailFromName,
        @Email @Size(max = 254) String emailFromAddress,
        @Email @Size(max = 254) String emailReplyTo,
        @Size(max = 5000) String emailFooterHtml,
        @Pattern(regexp = URL, message = URL_MESSAGE) @Size(max = 500) String supportUrl,
        @Pattern(regexp = URL, message = URL_MESSAGE) @Size(max = 500) String termsUrl,
        @Pattern(regexp = URL, message = URL_MESSAGE) @Size(max = 500) String privacyUrl) {

    static final String URL = "^https://[^\\s]+$";
    static final String URL_MESSAGE = "must be an https URL";
    static final String COLOUR = "^#[0-9A-Fa-f]{6}$";
    static final String COLOUR_MESSAGE = "must be a colour like #1A2B3C";

    /** Stored form: snake_case keys, absent values left out. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        put(map, "display_name", displayName);
        put(map, "logo_url", logoUrl);
        put(map, "favicon_url", faviconUrl);
        put(map, "primary_color", primaryColor);
        put(map, "secondary_color", secondaryColor);
        put(map, "accent_color", accentColor);
        put(map, "font_family", fontFamily);
        put(map, "email_from_name", emailFromName);
        put(map, "email_from_address", emailFromAddress);
        put(map, "email_reply_to", emailReplyTo);
        put(map, "email_footer_html", emailFooterHtml);
        put(map, "support_url", supportUrl);
        put(map, "terms_url", termsUrl);
        put(map, "privacy_url", privacyUrl);
        return map;
    }

    private static void put(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
