package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.qute.Engine;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Sends one mail: finds the address (unless given), honours the user's preferences for
 * non-transactional mail, renders the template in text and HTML with the tenant's branding, adds
 * RFC 8058 one-click unsubscribe headers to what can be unsubscribed from, and writes the mail log
 * ({@code sent}, or {@code suppressed} with why). A mail whose source event was already sent is
 * not sent again.
 */
@ApplicationScoped
public class Postman {

    private static final Logger LOG = Logger.getLogger(Postman.class);
    private static final Pattern TAG = Pattern.compile("<[^>]+>");

    /** A mail to write. {@code to} null means the user's known address; {@code sourceEvent} null for one-off mail. */
    public record Letter(MailKind kind, UUID userId, UUID tenantId, String to, String name, Map<String, Object> data,
                         String sourceEvent, boolean ignorePreferences) {
        public Letter(MailKind kind, UUID userId, UUID tenantId, String to, String name, Map<String, Object> data, String sourceEvent) {
            this(kind, userId, tenantId, to, name, data, sourceEvent, false);
        }
    }

    /** What happened: sent, or suppressed (with why). */
    public record Outcome(String status, String to, String detail) {
        public boolean sent() {
            return "sent".equals(status);
        }
    }

    static final String LOG_ROW = """
            insert into mail_log (id, user_id, tenant_id, recipient, template, subject, status, source_event, category, detail)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (source_event) do nothing""";

    private final ReactiveMailer mailer;
    private final Engine templates;
    private final Pool pool;
    private final ObjectMapper json;
    private final UnsubscribeTokens tokens;
    private final String publicBaseUrl;
    private final String defaultFromName;
    private final String defaultFromAddress;

    public Postman(ReactiveMailer mailer, Engine templates, Pool pool, ObjectMapper json, UnsubscribeTokens tokens,
                   @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String publicBaseUrl,
                   @ConfigProperty(name = "tollgate.mail.from-name", defaultValue = "Tollgate") String defaultFromName,
                   @ConfigProperty(name = "tollgate.mail.from-address", defaultValue = "no-reply@tollgate.local") String defaultFromAddress) {
        this.mailer = mailer;
        this.templates = templates;
        this.pool = pool;
        this.json = json;
        this.tokens = tokens;
        this.publicBaseUrl = publicBaseUrl;
        this.defaultFromName = defaultFromName;
        this.defaultFromAddress = defaultFromAddress;
    }

    public String publicBaseUrl() {
        return publicBaseUrl;
    }

    public Uni<Outcome> send(Letter letter) {
        Uni<Boolean> already = letter.sourceEvent() == null ? Uni.createFrom().item(false)
                : pool.preparedQuery("select 1 from mail_log where source_event = $1").execute(Tuple.of(letter.sourceEvent()))
                        .map(rows -> rows.size() > 0);
        return already.chain(done -> done ? Uni.createFrom().item(new Outcome("duplicate", letter.to(), "already handled"))
                : recipient(letter).chain(recipient -> {
                    if (recipient == null) {
                        return log(letter, "", null, "suppressed", "no address is known for the user");
                    }
                    return allowed(letter).chain(allowed -> {
                        if (!allowed) {
                            return log(letter, recipient.email(), null, "suppressed",
                                    "the user unsubscribed from " + letter.kind().category().key() + " mail");
                        }
                        return branding(letter.tenantId()).chain(brand -> deliver(letter, recipient, brand));
                    });
                }));
    }

    private record Recipient(String email, String name) {
    }

    private Uni<Recipient> recipient(Letter letter) {
        if (letter.to() != null) {
            return Uni.createFrom().item(new Recipient(letter.to(), letter.name()));
        }
        return pool.preparedQuery("select email, full_name from mail_recipients where user_id = $1").execute(Tuple.of(letter.userId()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .map(row -> row == null ? null : new Recipient(row.getString("email"),
                        letter.name() != null ? letter.name() : row.getString("full_name")));
    }

    private Uni<Boolean> allowed(Letter letter) {
        MailCategory category = letter.kind().category();
        if (category.transactional() || letter.userId() == null || letter.ignorePreferences()) {
            return Uni.createFrom().item(true);
        }
        return pool.preparedQuery("select unsubscribed_all, " + category.key() + " as wanted from email_preferences where user_id = $1")
                .execute(Tuple.of(letter.userId()))
                .map(rows -> rows.size() == 0 || (!rows.iterator().next().getBoolean("unsubscribed_all")
                        && rows.iterator().next().getBoolean("wanted")));
    }

    /** The tenant's mail look, with our defaults for what it did not set. */
    public Uni<Map<String, Object>> branding(UUID tenantId) {
        return pool.preparedQuery("select name, branding::text as branding from tenant_branding where tenant_id = $1")
                .execute(Tuple.of(tenantId))
                .map(rows -> {
                    Row row = rows.size() == 0 ? null : rows.iterator().next();
                    JsonNode b = json.createObjectNode();
                    if (row != null && row.getString("branding") != null) {
                        try {
                            b = json.readTree(row.getString("branding"));
                        } catch (IOException e) {
                            LOG.warnf("tenant %s has unreadable branding: %s", tenantId, e.getMessage());
                        }
                    }
                    String tenantName = row == null ? null : row.getString("name");
                    String name = text(b, "display_name", tenantName != null ? tenantName : defaultFromName);
                    Map<String, Object> brand = new HashMap<>();
                    brand.put("name", name);
                    brand.put("fromName", text(b, "email_from_name", name));
                    brand.put("fromAddress", text(b, "email_from_address", defaultFromAddress));
                    brand.put("replyTo", text(b, "email_reply_to", null));
                    brand.put("primary", text(b, "primary_color", "#3b5bdb"));
                    brand.put("font", text(b, "font_family", "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"));
                    brand.put("logoUrl", text(b, "logo_url", null));
                    String footer = text(b, "email_footer_html", null);
                    brand.put("footerHtml", footer);
                    brand.put("footerText", footer == null ? null : TAG.matcher(footer.replace("<br>", "\n")).replaceAll("").trim());
                    return brand;
                });
    }

    private Uni<Outcome> deliver(Letter letter, Recipient recipient, Map<String, Object> brand) {
        MailKind kind = letter.kind();
        String subject = kind.subject((String) brand.get("name"));
        Map<String, Object> data = new HashMap<>(letter.data());
        data.put("name", recipient.name() == null || recipient.name().isBlank() ? "there" : recipient.name());
        data.put("brand", brand);
        data.put("subject", subject);
        data.putIfAbsent("actionUrl", publicBaseUrl);
        String unsubscribe = null;
        if (!kind.category().transactional() && letter.userId() != null) {
            unsubscribe = publicBaseUrl + "/v1/unsubscribe/all?token=" + tokens.issue(letter.userId());
            data.put("unsubscribeUrl", unsubscribe);
            data.put("preferencesUrl", publicBaseUrl + "/v1/unsubscribe?token=" + tokens.issue(letter.userId()));
        } else {
            data.put("unsubscribeUrl", null);
            data.put("preferencesUrl", null);
        }
        String text = layout("txt", kind, data);
        String html = layout("html", kind, data);
        Mail mail = Mail.withText(recipient.email(), subject, text).setHtml(html)
                .setFrom(brand.get("fromName") + " <" + brand.get("fromAddress") + ">")
                .addHeader("X-Tollgate-Template", kind.template())
                .addHeader("Auto-Submitted", "auto-generated");
        if (brand.get("replyTo") != null) {
            mail.setReplyTo((String) brand.get("replyTo"));
        }
        if (unsubscribe != null) {
            // RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to the https URL
            mail.addHeader("List-Unsubscribe", "<" + unsubscribe + ">");
            mail.addHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        return mailer.send(mail).chain(() -> log(letter, recipient.email(), subject, "sent", null));
    }

    private String layout(String format, MailKind kind, Map<String, Object> data) {
        String body = templates.getTemplate("mail/" + kind.template() + "." + format).data(data).render();
        Map<String, Object> outer = new HashMap<>(data);
        outer.put("body", body.strip());
        return templates.getTemplate("mail/layout." + format).data(outer).render();
    }

    private Uni<Outcome> log(Letter letter, String to, String subject, String status, String detail) {
        return pool.preparedQuery(LOG_ROW).execute(Tuple.from(new Object[] {UUID.randomUUID(), letter.userId(), letter.tenantId(), to,
                        letter.kind().template(), subject != null ? subject : letter.kind().subject(defaultFromName), status, letter.sourceEvent(),
                        letter.kind().category().key(), detail}))
                .replaceWith(new Outcome(status, to, detail));
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : fallback;
    }
}
