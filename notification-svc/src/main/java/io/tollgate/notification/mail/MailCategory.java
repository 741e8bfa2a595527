package io.tollgate.notification.mail;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a mail is about, which is what a user can switch off. Security mail (address
 * verification, password reset) and account mail (welcome, payment receipts) are transactional:
 * they are always sent, carry no unsubscribe link, and no preference names them. Bandwidth mail
 * (traffic at 50, 80 and 100 %) is opt-in: off until the user switches it on; the bell and the
 * partner webhooks carry those marks either way.
 */
public enum MailCategory {
    SECURITY(true, "Security", "Confirming your address and resetting your password"),
    ACCOUNT(true, "Account", "Welcome and payment receipts"),
    BILLING(false, "Billing", "Failed payments and a low balance"),
    USAGE(false, "Usage", "Proxy traffic that has run out"),
    BANDWIDTH(false, false, "Bandwidth", "Traffic at 50, 80 and 100 %"),
    PROXY(false, "Proxy ports", "Ports about to end, and ports paused"),
    RENDER(false, "Render jobs", "Jobs that finished or failed"),
    WEBHOOKS(false, "Webhooks", "Endpoints we stopped sending to"),
    MARKETING(false, "News and offers", "Product news and offers, now and then");

    private final boolean transactional;
    private final boolean onByDefault;
    private final String label;
    private final String description;

    MailCategory(boolean transactional, String label, String description) {
        this(transactional, true, label, description);
    }

    MailCategory(boolean transactional, boolean onByDefault, String label, String description) {
        this.transactional = transactional;
        this.onByDefault = onByDefault;
        this.label = label;
        this.description = description;
    }

    /** Whether a user who never chose is mailed in this category. */
    public boolean onByDefault() {
        return onByDefault;
    }

    /** The category's name on the preferences page. */
    public String label() {
        return label;
    }

    /** What the category's mail is about, on the preferences page. */
    public String description() {
        return description;
    }

    public boolean transactional() {
        return transactional;
    }

    public String key() {
        return name().toLowerCase();
    }

    /** The categories a user can switch off, in the order the API lists them. */
    public static List<MailCategory> optional() {
        return Arrays.stream(values()).filter(c -> !c.transactional).toList();
    }

    public static Optional<MailCategory> byKey(String key) {
        return Arrays.stream(values()).filter(c -> c.key().equals(key)).findFirst();
    }
}
