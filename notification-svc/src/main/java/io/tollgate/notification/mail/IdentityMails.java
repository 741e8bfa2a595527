package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;

/**
 * The security mails identity asks for (address verification, password reset). They are
 * transactional: no preference turns them off. A mail that the SMTP server refuses fails the
 * event, which is delivered again.
 */
@ApplicationScoped
public class IdentityMails implements EventHandler {

    private static final String LOG = """
            insert into mail_log (id, user_id, tenant_id, recipient, template, subject, status, source_event)
            values (?1, ?2, ?3, ?4, ?5, ?6, 'sent', ?7) on conflict (source_event) do nothing""";

    private final ReactiveMailer mailer;
    private final ObjectMapper json;
    private final String publicBaseUrl;

    public IdentityMails(ReactiveMailer mailer, ObjectMapper json,
                         @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String publicBaseUrl) {
        this.mailer = mailer;
        this.json = json;
        this.publicBaseUrl = publicBaseUrl;
    }

    @Override
    public String consumer() {
        return "notification.identity-mail";
    }

    @Override
    public Set<String> topics() {
        return Set.of("identity.events");
    }

    @Override
    public boolean accepts(String type) {
        return VerificationRequested.TYPE.equals(type) || PasswordResetRequested.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event) {
        String template;
        String subject;
        String text;
        UUID userId;
        UUID tenantId;
        String to;
        if (VerificationRequested.TYPE.equals(event.type())) {
            VerificationRequested v = event.data(json, VerificationRequested.class);
            template = "verify-email";
            subject = "Verify your e-mail address";
            to = v.email();
            userId = v.userId();
            tenantId = v.tenantId();
            text = "Hello " + name(v.fullName()) + ",\n\nconfirm this address by opening\n" + publicBaseUrl
                    + "/verify-email?token=" + URLEncoder.encode(v.token(), StandardCharsets.UTF_8)
                    + "\n\nor enter the code " + v.code() + ". It expires at " + v.expiresAt() + ".\n\n"
                    + "If you did not sign up, ignore this mail.\n";
        } else {
            PasswordResetRequested r = event.data(json, PasswordResetRequested.class);
            template = "password-reset";
            subject = "Reset your password";
            to = r.email();
            userId = r.userId();
            tenantId = r.tenantId();
            text = "Hello " + name(r.fullName()) + ",\n\nchoose a new password at\n" + publicBaseUrl + "/reset-password?token="
                    + URLEncoder.encode(r.token(), StandardCharsets.UTF_8) + "\n\nThe link expires at " + r.expiresAt()
                    + ". If you did not ask for it, ignore this mail; your password is unchanged.\n";
        }
        Mail mail = Mail.withText(to, subject, text).addHeader("X-Tollgate-Template", template)
                .addHeader("Auto-Submitted", "auto-generated");
        return mailer.send(mail)
                .chain(() -> Panache.getSession().chain(s -> s.createNativeQuery(LOG)
                        .setParameter(1, UUID.randomUUID()).setParameter(2, userId).setParameter(3, tenantId)
                        .setParameter(4, to).setParameter(5, template).setParameter(6, subject).setParameter(7, event.id())
                        .executeUpdate()))
                .replaceWithVoid();
    }

    private static String name(String fullName) {
        return fullName == null || fullName.isBlank() ? "there" : fullName;
    }
}
