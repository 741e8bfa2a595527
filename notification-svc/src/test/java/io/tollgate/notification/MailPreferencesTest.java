package io.tollgate.notification;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.contracts.identity.UserRegistered;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.notification.mail.UnsubscribeTokens;
import io.tollgate.sandbox.MailSandbox;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Templated, branded mail over real SMTP; preferences and RFC 8058 one-click unsubscribe. */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
class MailPreferencesTest {

    @Inject
    UnsubscribeTokens tokens;

    record Customer(UUID user, UUID tenant, String email, String token) {
    }

    Customer customer() throws Exception {
        return customer(tokens);
    }

    /** A tenant with its own mail branding and a user of it that notification-svc knows the address of. */
    static Customer customer(UnsubscribeTokens tokens) throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        String email = "grace-" + user + "@example.com";
        // same partition as the user's event, so the branding is in before the address
        NotificationsTest.publish(new TenantUpdated(tenant, "acme-" + user, "Acme", "Active", "USD", List.of(), null,
                Map.of("display_name", "Acme Proxies", "email_from_name", "Acme Proxies", "email_from_address", "hello@acme.test",
                        "email_reply_to", "support@acme.test", "primary_color", "#FF5500",
                        "email_footer_html", "<p>Acme Ltd &middot; 1 Main Street</p>"), Instant.now()), null, user.toString());
        NotificationsTest.publish(new UserRegistered(user, tenant, email, "Grace Hopper", "USD", "en", Instant.now()), null);
        String unsubscribe = tokens.issue(user);
        await("the address to be known", () -> given().get("/v1/unsubscribe?token=" + unsubscribe).statusCode() == 200);
        return new Customer(user, tenant, email, TestTokens.user(user, tenant).sign());
    }

    @Test
    void receipts_and_alerts_are_branded_and_only_optional_mail_can_be_unsubscribed() throws Exception {
        Customer c = customer();
        UUID payment = UUID.randomUUID();
        NotificationsTest.publish(new PaymentSucceeded(c.user(), c.tenant(), payment, "stripe", "pi_1", 2500, "USD", 2750, null,
                "checkout", Instant.now()), null);
        MailSandbox.Message receipt = awaitMail(c.email(), "Your payment receipt", 1).getFirst();
        String raw = unfold(receipt.data());
        assertTrue(raw.contains("From: Acme Proxies <hello@acme.test>"), raw);
        assertTrue(raw.contains("Reply-To: support@acme.test"), raw);
        assertTrue(raw.contains("X-Tollgate-Template: topup-succeeded"), raw);
        assertFalse(raw.contains("List-Unsubscribe"), "a receipt is transactional: " + raw);
        assertTrue(raw.contains("multipart/alternative"), raw);
        String body = decoded(raw);
        assertTrue(body.contains("thank you for your payment of 25.00 USD. 27.50 USD was added to your balance."), body);
        assertTrue(body.contains("border-top:4px solid #FF5500"), body);
        assertTrue(body.contains("<p>Acme Ltd &middot; 1 Main Street</p>"), body);
        assertTrue(body.contains("Hello Grace Hopper,"), body);
        assertTrue(body.contains("http://127.0.0.1:8080/billing/payments/" + payment + "?sig="), "the receipt opens billing's signed payment page: " + body);

        NotificationsTest.publish(new BalanceLow(c.user(), c.tenant(), "USD", 300, 500, Instant.now()), null);
        MailSandbox.Message low = awaitMail(c.email(), "Your balance is low", 1).getFirst();
        String lowRaw = unfold(low.data());
        assertTrue(lowRaw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), lowRaw);
        Matcher link = Pattern.compile("List-Unsubscribe: <(http[^>]+/unsubscribe\\?token=([^>]+))>").matcher(lowRaw);
        assertTrue(link.find(), lowRaw);
        String token = link.group(2);
        assertTrue(decoded(lowRaw).contains("your available balance is 3.00 USD, below your alert at 5.00 USD."), decoded(lowRaw));

        assertTrue(link.group(1).startsWith("http://127.0.0.1:8080/unsubscribe?token="), "the header names the unsubscribe page: " + link.group(1));
        // the mail client's one-click POST (RFC 8058) to the header's address, the page's own
        given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click")
                .post("/unsubscribe?token=" + token).then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/html"))
                .body(org.hamcrest.Matchers.containsString("You are unsubscribed"));
        // and to the API's one-click address that older mail named
        given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click")
                .post("/v1/unsubscribe/all?token=" + token).then().statusCode(200).body("unsubscribed_from_all", equalTo(true));
        given().get("/v1/unsubscribe?token=" + token).then().statusCode(200).body("unsubscribed_from_all", equalTo(true))
                .body("subscriptions.billing", equalTo(true)).body("transactional", equalTo(List.of("security", "account")));
        given().auth().oauth2(c.token()).get("/v1/email-preferences").then().statusCode(200).body("unsubscribed_from_all", equalTo(true));

        NotificationsTest.publish(new BalanceLow(c.user(), c.tenant(), "USD", 200, 500, Instant.now()), null);
        NotificationsTest.publish(new PaymentSucceeded(c.user(), c.tenant(), UUID.randomUUID(), "stripe", "pi_2", 1000, "USD", 1000, null,
                "checkout", Instant.now()), null);
        awaitMail(c.email(), "Your payment receipt", 2); // transactional mail still arrives
        String admin = TestTokens.user(UUID.randomUUID(), c.tenant()).roles("admin").sign();
        await("the suppressed alert in the log", () -> given().auth().oauth2(admin)
                .get("/v1/admin/notifications/mail-log?recipient=" + c.email() + "&status=suppressed").<Integer>path("meta.total") == 1);
        assertEquals(1, mails(c.email(), "Your balance is low").size());

        // back on, but billing mail switched off by itself
        given().post("/v1/unsubscribe/resubscribe?token=" + token).then().statusCode(200).body("unsubscribed_from_all", equalTo(false));
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("billing", false))
                .patch("/v1/email-preferences").then().statusCode(200).body("subscriptions.billing", equalTo(false))
                .body("subscriptions.render", equalTo(true));
        NotificationsTest.publish(new BalanceLow(c.user(), c.tenant(), "USD", 100, 500, Instant.now()), null);
        await("the second suppressed alert", () -> given().auth().oauth2(admin)
                .get("/v1/admin/notifications/mail-log?recipient=" + c.email() + "&status=suppressed").<Integer>path("meta.total") == 2);
        given().contentType(ContentType.JSON).body(Map.of("billing", true)).patch("/v1/unsubscribe?token=" + token).then()
                .statusCode(200).body("subscriptions.billing", equalTo(true));
        NotificationsTest.publish(new BalanceLow(c.user(), c.tenant(), "USD", 50, 500, Instant.now()), null);
        awaitMail(c.email(), "Your balance is low", 2);
        given().auth().oauth2(admin).get("/v1/admin/notifications/mail-log?recipient=" + c.email()).then().statusCode(200)
                .body("meta.total", equalTo(6)).body("data[0].template", equalTo("low-balance")).body("data[0].status", equalTo("sent"));
    }

    @Test
    void used_up_traffic_is_mailed_as_usage_mail_and_shown_in_the_bell() throws Exception {
        Customer c = customer();
        NotificationsTest.publish(new io.tollgate.contracts.billing.AllowanceExhausted(c.user(), c.tenant(), "traffic_private",
                250_000_000L, Instant.now()), null);
        MailSandbox.Message mail = awaitMail(c.email(), "Your proxy traffic has run out", 1).getFirst();
        String raw = unfold(mail.data());
        assertTrue(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "usage mail can be unsubscribed: " + raw);
        assertTrue(decoded(raw).contains("your private proxy traffic allowance is used up (0.25 GB went beyond it)"), decoded(raw));
        await("the notice", () -> given().auth().oauth2(c.token()).get("/v1/notifications").jsonPath().getList("data.title")
                .contains("Proxy traffic used up"));
        given().auth().oauth2(c.token()).get("/v1/notifications").then().body("data[0].category", equalTo("usage"))
                .body("data[0].action_url", equalTo("/v1/billing/pricing"));
    }

    @Test
    void a_port_ending_within_a_day_is_mailed_once_as_proxy_mail_and_proxy_mail_can_be_switched_off() throws Exception {
        Customer c = customer();
        UUID port = UUID.randomUUID();
        PortExpiring expiring = new PortExpiring(c.user(), c.tenant(), port, "us-port-7", "US T-Mobile 7", "US", true,
                Instant.parse("2026-12-03T09:30:00Z"), Instant.now());
        String id = NotificationsTest.proxy(expiring, port, null);
        NotificationsTest.proxy(expiring, port, id); // delivered again
        MailSandbox.Message mail = awaitMail(c.email(), "Your proxy port ends within a day", 1).getFirst();
        String raw = unfold(mail.data());
        assertTrue(raw.contains("X-Tollgate-Template: port-expiring"), raw);
        assertTrue(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "proxy mail can be unsubscribed: " + raw);
        String body = decoded(raw);
        assertTrue(body.contains("your private proxy port US T-Mobile 7 (us-port-7, US) ends at 3 Dec 2026, 09:30 UTC."), body);
        assertTrue(body.contains("http://127.0.0.1:8080/?tenant=" + c.tenant() + "#ports"), body);
        assertTrue(raw.contains("From: Acme Proxies <hello@acme.test>"), raw);

        // billing's word pauses three shared ports at one moment: one mail, not three
        Instant paused = Instant.now();
        for (int i = 0; i < 3; i++) {
            UUID p = UUID.randomUUID();
            NotificationsTest.proxy(new PortSuspended(c.user(), c.tenant(), p, "gb-port-" + i, false, "traffic_exhausted", paused), p, null);
        }
        MailSandbox.Message suspended = awaitMail(c.email(), "Your proxy ports are paused", 1).getFirst();
        String suspendedBody = decoded(unfold(suspended.data()));
        assertTrue(suspendedBody.contains("your shared proxy ports are paused: your shared proxy traffic ran out."), suspendedBody);
        assertTrue(suspendedBody.contains("/?tenant=" + c.tenant() + "#ports") && suspendedBody.contains("#traffic"), suspendedBody);
        Thread.sleep(1_500); // the other ports' events had time to (wrongly) mail again
        assertEquals(1, mails(c.email(), "Your proxy ports are paused").size());
        assertEquals(1, mails(c.email(), "Your proxy port ends within a day").size());

        // proxy mail off: the next port's warning is logged as suppressed, billing mail still arrives
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("proxy", false))
                .patch("/v1/email-preferences").then().statusCode(200).body("subscriptions.proxy", equalTo(false))
                .body("subscriptions.usage", equalTo(true));
        UUID other = UUID.randomUUID();
        NotificationsTest.proxy(new PortExpiring(c.user(), c.tenant(), other, "us-port-8", "US T-Mobile 8", "US", false,
                Instant.now().plusSeconds(86_000), Instant.now()), other, null);
        String admin = TestTokens.user(UUID.randomUUID(), c.tenant()).roles("admin").sign();
        await("the suppressed port mail in the log", () -> given().auth().oauth2(admin)
                .get("/v1/admin/notifications/mail-log?recipient=" + c.email() + "&status=suppressed&template=port-expiring")
                .<Integer>path("meta.total") == 1);
        assertEquals(1, mails(c.email(), "Your proxy port ends within a day").size());
    }

    @Test
    void bad_preferences_and_foreign_tokens_change_nothing() throws Exception {
        Customer c = customer();
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("security", false), Map.<String, Object>of("account", false),
                Map.<String, Object>of("nope", true), Map.<String, Object>of("billing", "yes"), Map.<String, Object>of())) {
            given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(bad).patch("/v1/email-preferences").then()
                    .statusCode(400).contentType("application/problem+json");
        }
        given().auth().oauth2(c.token()).get("/v1/email-preferences").then().statusCode(200)
                .body("subscriptions.billing", equalTo(true)).body("unsubscribed_from_all", equalTo(false));
        for (String token : List.of("garbage", tokens.issue(c.user()) + "x", tokens.issue(UUID.randomUUID()), "")) {
            given().get("/v1/unsubscribe?token=" + token).then().statusCode(404).contentType("application/problem+json");
            given().post("/v1/unsubscribe/all?token=" + token).then().statusCode(404);
        }
        given().auth().oauth2(c.token()).get("/v1/email-preferences").then().body("unsubscribed_from_all", equalTo(false));
        String key = TestTokens.user(c.user(), c.tenant()).apiKey(UUID.randomUUID(), "account:read").sign();
        given().auth().oauth2(key).get("/v1/email-preferences").then().statusCode(200);
        given().auth().oauth2(key).contentType(ContentType.JSON).body(Map.of("billing", false)).patch("/v1/email-preferences").then()
                .statusCode(403).body("code", equalTo("JWT_ONLY"));
        given().get("/v1/email-preferences").then().statusCode(401);
    }

    @Test
    void an_administrator_sends_every_template_to_check_the_set_up() throws Exception {
        Customer c = customer();
        String admin = TestTokens.user(UUID.randomUUID(), c.tenant()).roles("admin").sign();
        String to = "ops-" + UUID.randomUUID() + "@example.com";
        int kinds = io.tollgate.notification.mail.MailKind.values().length;
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("template", "all", "to", to))
                .post("/v1/admin/notifications/test-email").then().statusCode(200).body("to", equalTo(to))
                .body("sent", hasSize(kinds)).body("sent.ok", equalTo(java.util.Collections.nCopies(kinds, true)));
        await("one mail of each kind", () -> SmtpSandbox.mail().messagesTo(to).size() == kinds);
        for (MailSandbox.Message m : SmtpSandbox.mail().messagesTo(to)) {
            String raw = unfold(m.data());
            assertTrue(raw.contains("From: Acme Proxies <hello@acme.test>"), raw);
            assertTrue(raw.contains("text/plain") && raw.contains("text/html"), raw);
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("template", "nope", "to", to))
                .post("/v1/admin/notifications/test-email").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("template", "welcome", "to", "not-an-address"))
                .post("/v1/admin/notifications/test-email").then().statusCode(400);
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("template", "welcome", "to", to))
                .post("/v1/admin/notifications/test-email").then().statusCode(403);
        given().auth().oauth2(c.token()).get("/v1/admin/notifications/mail-log").then().statusCode(403);
        assertEquals(kinds, SmtpSandbox.mail().messagesTo(to).size());
    }

    static List<MailSandbox.Message> mails(String to, String subject) {
        return SmtpSandbox.mail().messagesTo(to).stream().filter(m -> m.subject().equals(subject)).toList();
    }

    static List<MailSandbox.Message> awaitMail(String to, String subject, int count) throws InterruptedException {
        await(count + " mail(s) '" + subject + "' to " + to, () -> mails(to, subject).size() >= count);
        return mails(to, subject);
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " did not happen");
            Thread.sleep(100);
        }
    }

    /** Header lines unfolded (RFC 5322 folding). */
    static String unfold(String raw) {
        return raw.replaceAll("\r?\n[ \t]+", " ");
    }

    /** The parts sent quoted-printable decoded (soft breaks and escapes undone), so the text reads as written; 7bit parts as they are. */
    static String decoded(String raw) {
        StringBuilder out = new StringBuilder();
        for (String part : raw.split("(?=\r?\n--)")) {
            int blank = part.indexOf("\n\n") >= 0 ? part.indexOf("\n\n") : part.indexOf("\r\n\r\n");
            String headers = blank < 0 ? part : part.substring(0, blank);
            out.append(headers.toLowerCase(java.util.Locale.ROOT).contains("content-transfer-encoding: quoted-printable") ? quotedPrintable(part) : part);
        }
        return out.toString();
    }

    private static String quotedPrintable(String text) {
        byte[] bytes = text.replaceAll("=\r?\n", "").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '=' && i + 2 < bytes.length && Character.digit(bytes[i + 1], 16) >= 0 && Character.digit(bytes[i + 2], 16) >= 0) {
                out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
