package io.tollgate.notification;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.proxy.PortRenewalFailed;
import io.tollgate.contracts.proxy.PortRenewed;
import io.tollgate.notification.mail.UnsubscribeTokens;
import io.tollgate.sandbox.MailSandbox;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A refused port auto-renewal is mailed as proxy mail and shown in the bell; a renewal is shown in the bell only. */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
class PortRenewalNoticesTest {

    @Inject
    UnsubscribeTokens tokens;

    @Test
    void a_refused_renewal_is_mailed_with_the_figures_and_both_outcomes_reach_the_bell() throws Exception {
        MailPreferencesTest.Customer c = MailPreferencesTest.customer(tokens);
        UUID port = UUID.randomUUID();
        Instant ends = Instant.parse("2026-12-03T09:30:00Z");
        String id = NotificationsTest.proxy(new PortRenewalFailed(c.user(), c.tenant(), port, "tg_abc123_def456", "Proxy #1", "US", false,
                30, ends, "INSUFFICIENT_BALANCE", 300L, 120L, null, 3, 3, false, null, Instant.now()), port, null);
        NotificationsTest.proxy(new PortRenewalFailed(c.user(), c.tenant(), port, "tg_abc123_def456", "Proxy #1", "US", false,
                30, ends, "INSUFFICIENT_BALANCE", 300L, 120L, null, 3, 3, false, null, Instant.now()), port, id); // delivered again
        MailSandbox.Message mail = MailPreferencesTest.awaitMail(c.email(), "Your proxy port could not be renewed", 1).getFirst();
        String raw = MailPreferencesTest.unfold(mail.data());
        assertTrue(raw.contains("X-Tollgate-Template: port-renewal-failed"), raw);
        assertTrue(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "proxy mail can be unsubscribed: " + raw);
        String body = MailPreferencesTest.decoded(raw);
        assertTrue(body.contains("the auto-renewal of your shared proxy port Proxy #1 (tg_abc123_def456, US) for 30 day(s) did not go"
                + " through: your balance (1.20 available) does not cover it (3.00)."), body);
        assertTrue(body.contains("We will not try again; the port ends at 3 Dec 2026, 09:30 UTC unless you extend it."), body);
        assertTrue(body.contains("/?tenant=" + c.tenant() + "#top-up"), body);

        NotificationsTest.proxy(new PortRenewed(c.user(), c.tenant(), UUID.randomUUID(), "tg_abc123_aaa111", "Proxy #2", "DE", true, 7,
                ends, ends.plusSeconds(7 * 86_400), 140, "USD", UUID.randomUUID(), 1, Instant.now()), port, null);
        MailPreferencesTest.await("both notices", () -> given().auth().oauth2(c.token()).get("/v1/notifications").jsonPath()
                .getList("data.title").size() == 2);
        List<String> titles = given().auth().oauth2(c.token()).get("/v1/notifications").jsonPath().getList("data.title");
        assertTrue(titles.contains("Port Proxy #1 could not be renewed") && titles.contains("Port Proxy #2 renewed"), titles.toString());
        String renewed = given().auth().oauth2(c.token()).get("/v1/notifications").jsonPath()
                .getString("data.find { it.title == 'Port Proxy #2 renewed' }.body");
        assertEquals("Your private port tg_abc123_aaa111 (DE) was renewed for 7 day(s) from your balance (1.40 USD); it now ends at"
                + " 10 Dec 2026, 09:30 UTC.", renewed);
        // a renewal is not mailed
        assertEquals(1, SmtpSandbox.mail().messagesTo(c.email()).stream().filter(m -> m.subject().contains("renew")).count());
    }
}
