package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.EmailVerified;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.kit.crypto.EventSeal;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.notification.Routing;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The mails identity's events ask for: address verification and password reset (security: no
 * preference turns them off) and the welcome once the address is verified. A mail the SMTP
 * server refuses fails the event, which is delivered again.
 */
@ApplicationScoped
@Startup
public class IdentityMails implements EventHandler {

    private final Postman postman;
    private final ObjectMapper json;
    private final EventSeal seal;
    private final MailLinks links;

    public IdentityMails(Postman postman, ObjectMapper json, EventSeal seal, MailLinks links) {
        this.links = links;
        seal.requireConfigured();
        this.postman = postman;
        this.json = json;
        this.seal = seal;
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
        return Set.of(VerificationRequested.TYPE, PasswordResetRequested.TYPE, EmailVerified.TYPE).contains(type)
                && Routing.routes(type, Routing.Channel.EMAIL);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        // The mail log's source_event is the mail's key, taken in this transaction (see Postman).
        Postman.Letter letter = switch (event.type()) {
            case VerificationRequested.TYPE -> {
                VerificationRequested v = event.data(json, VerificationRequested.class);
                JsonNode secrets = open(v.sealed(), event.type(), v.userId());
                yield new Postman.Letter(MailKind.VERIFY_EMAIL, v.userId(), v.tenantId(), v.email(), v.fullName(), Map.of(
                        "actionUrl", links.verifyEmail(secrets.path("token").asText()),
                        "code", secrets.path("code").asText(), "expiresAt", v.expiresAt().toString()), event.id());
            }
            case PasswordResetRequested.TYPE -> {
                PasswordResetRequested r = event.data(json, PasswordResetRequested.class);
                String token = open(r.sealed(), event.type(), r.userId()).path("token").asText();
                yield new Postman.Letter(MailKind.PASSWORD_RESET, r.userId(), r.tenantId(), r.email(), r.fullName(), Map.of(
                        "actionUrl", links.resetPassword(token),
                        "expiresAt", r.expiresAt().toString()), event.id());
            }
            default -> {
                EmailVerified v = event.data(json, EmailVerified.class);
                yield new Postman.Letter(MailKind.WELCOME, v.userId(), v.tenantId(), v.email(), v.fullName(),
                        Map.of("actionUrl", links.landing(v.tenantId(), MailLinks.Section.TOP_UP)), event.id());
            }
        };
        return postman.send(tx, letter).replaceWithVoid();
    }

    private JsonNode open(String sealed, String type, UUID userId) {
        try {
            return json.readTree(seal.open(sealed, type, "users/" + userId));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable sealed secrets in " + type, e);
        }
    }
}
