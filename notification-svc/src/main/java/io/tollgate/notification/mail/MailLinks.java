package io.tollgate.notification.mail;

import io.quarkus.runtime.Startup;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.pages.SignedLinks;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Every link our mail carries, and each one opens a hosted page through the gateway (never an API
 * path, which a browser cannot use): identity's {@code /verify-email} and {@code /reset-password}
 * with the mail's token, our own {@code /unsubscribe} and {@code /email-preferences} with the
 * user's unsubscribe token, billing's {@code /billing/payments/{id}} signed under the page-link key
 * it shares with billing, and the landing {@code /} at the section that says what to do next (there
 * is no console yet: the landing names the API call).
 */
@ApplicationScoped
@Startup
public class MailLinks {

    /** The landing's sections a mail can point at. */
    public enum Section { TOP_UP, TRAFFIC, PORTS, RENDER_JOBS, WEBHOOKS;

        String anchor() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    static final String DEVELOPMENT_KEY = "local-development-pages-link-key";

    private final String base;
    private final UnsubscribeTokens tokens;
    private final SignedLinks signed;

    public MailLinks(@ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String base,
                     @ConfigProperty(name = "tollgate.pages.link-key") String linkKey, UnsubscribeTokens tokens) {
        DeploymentSecrets.require("tollgate.pages.link-key", linkKey, DEVELOPMENT_KEY);
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.tokens = tokens;
        this.signed = new SignedLinks(linkKey);
    }

    public String base() {
        return base;
    }

    public String verifyEmail(String token) {
        return base + "/verify-email?token=" + encode(token);
    }

    public String resetPassword(String token) {
        return base + "/reset-password?token=" + encode(token);
    }

    /** The payment's page at billing; the same link billing sends the customer back to from the provider. */
    public String payment(UUID paymentId) {
        return base + "/billing/payments/" + paymentId + "?sig=" + signed.sign("payment", paymentId.toString());
    }

    public String landing(UUID tenantId, Section section) {
        return base + "/" + (tenantId == null ? "" : "?tenant=" + tenantId) + "#" + section.anchor();
    }

    /** The unsubscribe page; also the RFC 8058 one-click target of {@code List-Unsubscribe}. */
    public String unsubscribe(UUID userId) {
        return base + "/unsubscribe?token=" + tokens.issue(userId);
    }

    public String preferences(UUID userId) {
        return base + "/email-preferences?token=" + tokens.issue(userId);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
