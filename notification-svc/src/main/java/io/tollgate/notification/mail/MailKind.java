package io.tollgate.notification.mail;

import java.util.Arrays;
import java.util.Optional;

/** Every mail we send: its template (text and HTML under {@code templates/mail/}), category and subject. */
public enum MailKind {
    VERIFY_EMAIL("verify-email", MailCategory.SECURITY, "Verify your e-mail address"),
    PASSWORD_RESET("password-reset", MailCategory.SECURITY, "Reset your password"),
    WELCOME("welcome", MailCategory.ACCOUNT, "Welcome to %s"),
    TOPUP_SUCCEEDED("topup-succeeded", MailCategory.ACCOUNT, "Your payment receipt"),
    PAYMENT_FAILED("payment-failed", MailCategory.BILLING, "Your payment did not go through"),
    LOW_BALANCE("low-balance", MailCategory.BILLING, "Your balance is low"),
    RENDER_FINISHED("render-finished", MailCategory.RENDER, "Your render job has finished"),
    RENDER_FAILED("render-failed", MailCategory.RENDER, "Your render job failed"),
    WEBHOOK_DISABLED("webhook-disabled", MailCategory.WEBHOOKS, "We stopped sending to your webhook endpoint"),
    TRAFFIC_EXHAUSTED("traffic-exhausted", MailCategory.USAGE, "Your proxy traffic has run out"),
    TRAFFIC_THRESHOLD("traffic-threshold", MailCategory.BANDWIDTH, "How much of your proxy traffic is used"),
    PORT_EXPIRING("port-expiring", MailCategory.PROXY, "Your proxy port ends within a day"),
    PORT_RENEWAL_FAILED("port-renewal-failed", MailCategory.PROXY, "Your proxy port could not be renewed"),
    PORT_SUSPENDED("port-suspended", MailCategory.PROXY, "Your proxy ports are paused");

    private final String template;
    private final MailCategory category;
    private final String subject;

    MailKind(String template, MailCategory category, String subject) {
        this.template = template;
        this.category = category;
        this.subject = subject;
    }

    public String template() {
        return template;
    }

    public MailCategory category() {
        return category;
    }

    /** The subject; {@code %s} is the tenant's brand name. */
    public String subject(String brand) {
        return subject.formatted(brand);
    }

    public static Optional<MailKind> byTemplate(String template) {
        return Arrays.stream(values()).filter(k -> k.template.equals(template)).findFirst();
    }
}
