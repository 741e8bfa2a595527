package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.qute.Engine;
import io.tollgate.kit.pages.Brand;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
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
 *
 * <p>A consumer sends in its inbox's transaction: the mail log row of the source event is inserted
 * first (its unique {@code source_event} is the mail's key), so a second delivery of the event, or a
 * twin running at the same moment, waits for the first and then finds the key taken and sends
 * nothing; the row gets its outcome after the SMTP server took the mail, and commits with the inbox
 * record. A send that fails rolls the key back with the transaction, so the retry sends it. Only a
 * crash between the SMTP server's acceptance and the commit can send a mail twice: SMTP offers no
 * key of its own.
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
    // The source event's key, taken before anything is sent; its outcome is written by OUTCOME in the same transaction.
    private static final String CLAIM = """
            insert into mail_log (id, user_id, tenant_id, recipient, template, subject, status, source_event, category, detail)
            values ($1, $2, $3, '', $4, $5, 'failed', $6, $7, 'sending') on conflict (source_event) do nothing returning id""";
    private static final String OUTCOME = """
            update mail_log set recipient = $2, subject = $3, status = $4, detail = $5 where id = $1""";
    /** Fault point for tests: the mail fails after its key was taken, before the SMTP server is asked. */
    public static final String FAULT_BEFORE_SEND = "notification.mail.before-send";

    private final ReactiveMailer mailer;
    private final io.tollgate.kit.faults.Faults faults;
    private final Engine templates;
    private final Pool pool;
    private final ObjectMapper json;
    private final MailLinks links;
    private final String defaultFromName;
    private final String defaultFromAddress;

    public Postman(ReactiveMailer mailer, io.tollgate.kit.faults.Faults faults, Engine templates, Pool pool, ObjectMapper json,
                   MailLinks links,
                   @ConfigProperty(name = "tollgate.mail.from-name", defaultValue = "Tollgate") String defaultFromName,
                   @ConfigProperty(name = "tollgate.mail.from-address", defaultValue = "no-reply@tollgate.local") String defaultFromAddress) {
        this.mailer = mailer;
        this.faults = faults;
        this.templates = templates;
        this.pool = pool;
        this.json = json;
        this.links = links;
        this.defaultFromName = defaultFromName;
        this.defaultFromAddress = defaultFromAddress;
    }

    /** A mail outside any transaction (an administrator's test mail). */
    public Uni<Outcome> send(Letter letter) {
        return send(pool, letter);
    }

    /**
     * A mail whose reads and log go through {@code client}: a consumer's inbox transaction, so the
     * source event's key commits with the inbox record (see the class comment).
     */
    public Uni<Outcome> send(SqlClient client, Letter letter) {
        if (letter.sourceEvent() == null) {
            return compose(client, letter, null);
        }
        return client.preparedQuery(CLAIM).execute(Tuple.from(new Object[] {UUID.randomUUID(), letter.userId(), letter.tenantId(),
                        letter.kind().template(), letter.kind().subject(defaultFromName), letter.sourceEvent(),
                        letter.kind().category().key()}))
                .chain(claimed -> claimed.size() == 0
                        ? Uni.createFrom().item(new Outcome("duplicate", letter.to(), "already handled"))
                        : compose(client, letter, claimed.iterator().next().getUUID("id")));
    }

    /** Finds the address, honours the preferences and delivers; {@code logId} is the claimed log row (null: insert one). */
    private Uni<Outcome> compose(SqlClient client, Letter letter, UUID logId) {
        return recipient(client, letter).chain(recipient -> {
            if (recipient == null) {
                return log(client, logId, letter, "", null, "suppressed", "no address is known for the user");
            }
            return allowed(client, letter).chain(allowed -> {
                if (!allowed) {
                    return log(client, logId, letter, recipient.email(), null, "suppressed",
                            "the user unsubscribed from " + letter.kind().category().key() + " mail");
                }
                return branding(client, letter.tenantId()).chain(brand -> deliver(client, logId, letter, recipient, brand));
            });
        });
    }

    private record Recipient(String email, String name) {
    }

    private Uni<Recipient> recipient(SqlClient client, Letter letter) {
        if (letter.to() != null) {
            return Uni.createFrom().item(new Recipient(letter.to(), letter.name()));
        }
        return client.preparedQuery("select email, full_name from mail_recipients where user_id = $1").execute(Tuple.of(letter.userId()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .map(row -> row == null ? null : new Recipient(row.getString("email"),
                        letter.name() != null ? letter.name() : row.getString("full_name")));
    }

    private Uni<Boolean> allowed(SqlClient client, Letter letter) {
        MailCategory category = letter.kind().category();
        if (category.transactional() || letter.userId() == null || letter.ignorePreferences()) {
            return Uni.createFrom().item(true);
        }
        return client.preparedQuery("select unsubscribed_all, " + category.key() + " as wanted from email_preferences where user_id = $1")
                .execute(Tuple.of(letter.userId()))
                .map(rows -> rows.size() == 0 ? category.onByDefault() : !rows.iterator().next().getBoolean("unsubscribed_all")
                        && rows.iterator().next().getBoolean("wanted"));
    }

    private record Stored(String name, JsonNode branding) {
    }

    /** The tenant's name and branding as identity's events told them (empty for a tenant we have not heard of). */
    private Uni<Stored> stored(SqlClient client, UUID tenantId) {
        return client.preparedQuery("select name, branding::text as branding from tenant_branding where tenant_id = $1")
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
                    return new Stored(row == null ? null : row.getString("name"), b);
                });
    }

    /** The tenant's look on our hosted pages. */
    @SuppressWarnings("unchecked")
    public Uni<Brand> pageBrand(UUID tenantId) {
        return tenantId == null ? Uni.createFrom().item(Brand.defaults())
                : stored(pool, tenantId).map(s -> Brand.of(s.name() != null ? s.name() : defaultFromName, json.convertValue(s.branding(), Map.class)));
    }

    /** The tenant's mail look, with our defaults for what it did not set. */
    public Uni<Map<String, Object>> branding(UUID tenantId) {
        return branding(pool, tenantId);
    }

    private Uni<Map<String, Object>> branding(SqlClient client, UUID tenantId) {
        return stored(client, tenantId)
                .map(stored -> {
                    JsonNode b = stored.branding();
                    String tenantName = stored.name();
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

    private Uni<Outcome> deliver(SqlClient client, UUID logId, Letter letter, Recipient recipient, Map<String, Object> brand) {
        MailKind kind = letter.kind();
        String subject = kind.subject((String) brand.get("name"));
        Map<String, Object> data = new HashMap<>(letter.data());
        data.put("name", recipient.name() == null || recipient.name().isBlank() ? "there" : recipient.name());
        data.put("brand", brand);
        data.put("subject", subject);
        data.putIfAbsent("actionUrl", links.landing(letter.tenantId(), MailLinks.Section.TOP_UP));
        String unsubscribe = null;
        if (!kind.category().transactional() && letter.userId() != null) {
            // the page's own address: a browser gets a page, a mail client's RFC 8058 POST unsubscribes at once
            unsubscribe = links.unsubscribe(letter.userId());
            data.put("unsubscribeUrl", unsubscribe);
            data.put("preferencesUrl", links.preferences(letter.userId()));
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
        return faults.at(FAULT_BEFORE_SEND).chain(() -> mailer.send(mail))
                .chain(() -> log(client, logId, letter, recipient.email(), subject, "sent", null));
    }

    private String layout(String format, MailKind kind, Map<String, Object> data) {
        String body = templates.getTemplate("mail/" + kind.template() + "." + format).data(data).render();
        Map<String, Object> outer = new HashMap<>(data);
        outer.put("body", body.strip());
        return templates.getTemplate("mail/layout." + format).data(outer).render();
    }

    private Uni<Outcome> log(SqlClient client, UUID logId, Letter letter, String to, String subject, String status, String detail) {
        String shown = subject != null ? subject : letter.kind().subject(defaultFromName);
        Uni<?> written = logId != null
                ? client.preparedQuery(OUTCOME).execute(Tuple.of(logId, to, shown, status, detail))
                : client.preparedQuery(LOG_ROW).execute(Tuple.from(new Object[] {UUID.randomUUID(), letter.userId(), letter.tenantId(), to,
                        letter.kind().template(), shown, status, letter.sourceEvent(), letter.kind().category().key(), detail}));
        return written.replaceWith(new Outcome(status, to, detail));
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : fallback;
    }
}
