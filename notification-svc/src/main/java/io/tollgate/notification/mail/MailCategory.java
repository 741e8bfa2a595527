package io.tollgate.notification.mail;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a mail is about, which is what a user can switch off. Security mail (address
 * verification, password reset) and account mail (welcome, payment receipts) are transactional:
 * they are always sent, carry no unsubscribe link, and no preference names them.
 */
public enum MailCategory {
    SECURITY(true), ACCOUNT(true), BILLING(false), USAGE(false), PROXY(false), RENDER(false), WEBHOOKS(false), MARKETING(false);

    private final boolean transactional;

    MailCategory(boolean transactional) {
        this.transactional = transactional;
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
