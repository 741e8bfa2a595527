package io.tollgate.e2e;

import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A new customer verifies the address with the link from the mail notification-svc sent over SMTP. */
@ExtendWith(FleetExtension.class)
class MailJourneyTest {

    @Test
    void sign_up_then_verify_with_the_token_from_the_mail(Fleet fleet) throws Exception {
        String email = "mailed-" + UUID.randomUUID() + "@example.com";
        String ip = Journeys.randomIp();
        String userId = Journeys.at(fleet.gatewayUrl(), ip).contentType("application/json")
                .body("{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + Journeys.PASSWORD
                        + "\", \"full_name\": \"Mailed User\", \"accept_terms\": true}")
                .post("/v1/auth/register").then().statusCode(201).extract().path("user_id");
        long started = System.nanoTime();
        List<MailSandbox.Message> mails;
        while ((mails = fleet.mail().messagesTo(email)).isEmpty()) {
            assertTrue(System.nanoTime() - started < 60_000_000_000L, "no verification mail in 60 s");
            Thread.sleep(200);
        }
        assertEquals(1, mails.size());
        assertEquals("Verify your e-mail address", mails.get(0).subject());
        Matcher token = Pattern.compile("verify-email\\?token=([A-Za-z0-9_%.~-]+)").matcher(mails.get(0).data());
        assertTrue(token.find(), mails.get(0).data());
        String secret = java.net.URLDecoder.decode(token.group(1), java.nio.charset.StandardCharsets.UTF_8);
        Journeys.at(fleet.gatewayUrl(), ip).contentType("application/json").body("{\"token\": \"" + secret + "\"}")
                .post("/v1/auth/verify/email").then().statusCode(200);
        var account = Journeys.signIn(fleet, userId, email, ip);
        Journeys.at(fleet.gatewayUrl(), ip).auth().oauth2(account.accessToken()).get("/v1/me").then().statusCode(200)
                .body("email_verified", equalTo(true));
        // the verified address gets the welcome, in text and HTML
        while (fleet.mail().messagesTo(email).size() < 2) {
            assertTrue(System.nanoTime() - started < 60_000_000_000L, "no welcome mail in 60 s");
            Thread.sleep(200);
        }
        MailSandbox.Message welcome = fleet.mail().messagesTo(email).get(1);
        assertTrue(welcome.subject().startsWith("Welcome to "), welcome.subject());
        assertTrue(welcome.data().contains("text/html") && welcome.data().contains("Hello Mailed User,"), welcome.data());
    }
}
