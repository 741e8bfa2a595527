package io.tollgate.notification;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.kit.crypto.EventSeal;
import io.tollgate.kit.faults.Faults;
import io.tollgate.notification.mail.MailKind;
import io.tollgate.notification.mail.Postman;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Identity's security mails go over real SMTP to the mail sandbox, once per event. */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
public class MailTest {

    private final Faults faults;
    private final Postman postman;
    private final Pool pool;

    MailTest(Faults faults, Postman postman, Pool pool) {
        this.faults = faults;
        this.postman = postman;
        this.pool = pool;
    }

    @Test
    void a_mail_that_failed_before_it_was_sent_leaves_no_key_and_its_retry_sends_it_once() throws Exception {
        String email = "retry-" + UUID.randomUUID() + "@example.com";
        UUID userId = UUID.randomUUID();
        faults.failNext(Postman.FAULT_BEFORE_SEND, 1);
        try {
            String id = NotificationsTest.publish(new PasswordResetRequested(userId, NotificationsTest.TENANT, email, null, null,
                    sealed(PasswordResetRequested.TYPE, userId, "{\"token\": \"rt_retry\"}"), Instant.now().plusSeconds(3_600)), null);
            await(email);
            assertEquals(1, SmtpSandbox.mail().messagesTo(email).size());
            var log = pool.preparedQuery("select status, recipient from mail_log where source_event = $1").execute(Tuple.of(id))
                    .await().indefinitely();
            assertEquals(1, log.size(), "one log row: the failed attempt's key rolled back with it");
            assertEquals("sent", log.iterator().next().getString("status"));
        } finally {
            faults.disarm(Postman.FAULT_BEFORE_SEND);
        }
    }

    @Test
    void twins_of_one_event_at_the_same_moment_send_one_mail() throws Exception {
        String email = "twins-" + UUID.randomUUID() + "@example.com";
        String source = UUID.randomUUID().toString();
        Postman.Letter letter = new Postman.Letter(MailKind.WELCOME, UUID.randomUUID(), NotificationsTest.TENANT, email, "Twin",
                Map.of("actionUrl", "https://example.com"), source);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Postman.Outcome>> twins = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                twins.add(threads.submit(() -> pool.withTransaction(tx -> postman.send(tx, letter)).await().atMost(Duration.ofSeconds(30))));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<Postman.Outcome> twin : twins) {
                outcomes.add(twin.get().status());
            }
            outcomes.sort(null);
            assertEquals(List.of("duplicate", "sent"), outcomes);
        } finally {
            threads.shutdown();
        }
        await(email);
        // the duplicate never spoke to the SMTP server: one mail is all there will be
        assertEquals(1, SmtpSandbox.mail().messagesTo(email).size(), "the key in the mail log lets one twin send");
    }

    @Test
    void a_verification_request_is_mailed_once_with_its_link_and_code() throws Exception {
        String email = "mail-" + UUID.randomUUID() + "@example.com";
        String token = "vt_" + UUID.randomUUID();
        UUID userId = UUID.randomUUID();
        VerificationRequested event = new VerificationRequested(userId, NotificationsTest.TENANT, email, "Ada Lovelace",
                "en", sealed(VerificationRequested.TYPE, userId, "{\"token\": \"" + token + "\", \"code\": \"482913\"}"),
                Instant.now().plusSeconds(86_400));
        String id = NotificationsTest.publish(event, null);
        NotificationsTest.publish(event, id);
        List<MailSandbox.Message> mails = await(email);
        Thread.sleep(1_000);
        mails = SmtpSandbox.mail().messagesTo(email);
        assertEquals(1, mails.size(), "one mail for one event delivered twice");
        MailSandbox.Message mail = mails.get(0);
        assertEquals("Verify your e-mail address", mail.subject());
        assertTrue(mail.data().contains("/verify-email?token=" + token), mail.data());
        assertTrue(mail.data().contains("482913"), mail.data());
        assertTrue(mail.data().contains("Hello Ada Lovelace"), mail.data());
        assertTrue(mail.from().contains("no-reply@tollgate.local"), mail.from());
    }

    @Test
    void a_password_reset_request_is_mailed() throws Exception {
        String email = "reset-" + UUID.randomUUID() + "@example.com";
        String token = "rt_" + UUID.randomUUID();
        UUID userId = UUID.randomUUID();
        NotificationsTest.publish(new PasswordResetRequested(userId, NotificationsTest.TENANT, email, null, null,
                sealed(PasswordResetRequested.TYPE, userId, "{\"token\": \"" + token + "\"}"), Instant.now().plusSeconds(3_600)), null);
        MailSandbox.Message mail = await(email).get(0);
        assertEquals("Reset your password", mail.subject());
        assertTrue(mail.data().contains("/reset-password?token=" + token), mail.data());
        assertTrue(mail.data().contains("Hello there"), mail.data());
    }

    /** Sealed as identity-svc seals a mail's secrets for us. */
    static String sealed(String type, UUID userId, String secrets) {
        return new EventSeal(Optional.of(EventSeal.DEVELOPMENT_KEY)).seal(secrets, type, "users/" + userId);
    }

    private static List<MailSandbox.Message> await(String email) throws InterruptedException {
        long started = System.nanoTime();
        while (SmtpSandbox.mail().messagesTo(email).isEmpty()) {
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(60).toNanos(), "no mail to " + email + " in 60 s");
            Thread.sleep(200);
        }
        return SmtpSandbox.mail().messagesTo(email);
    }
}
