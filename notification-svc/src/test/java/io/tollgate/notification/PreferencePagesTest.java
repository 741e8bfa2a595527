package io.tollgate.notification;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.notification.mail.MailKind;
import io.tollgate.notification.mail.UnsubscribeTokens;
import io.tollgate.sandbox.MailSandbox;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The preferences and unsubscribe pages of our mail's footer, and where every link of every template leads. */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
class PreferencePagesTest {

    private static final String BASE = "http://127.0.0.1:8080";
    /** The hosted pages of the fleet, by path: a mail's link must open one of them. */
    private static final Pattern PAGE = Pattern.compile("^/(|verify-email|reset-password|unsubscribe|email-preferences|billing/payments/[0-9a-f-]{36})$");
    private static final Set<String> LANDING_SECTIONS = Set.of("top-up", "traffic", "ports", "render-jobs", "webhooks");

    @Inject
    UnsubscribeTokens tokens;

    private record Customer(UUID user, UUID tenant, String email, String token) {
    }

    /** MailPreferencesTest's customer of the Acme Proxies tenant, with the user's unsubscribe token. */
    private Customer customer() throws Exception {
        MailPreferencesTest.Customer c = MailPreferencesTest.customer(tokens);
        return new Customer(c.user(), c.tenant(), c.email(), tokens.issue(c.user()));
    }

    static void assertPage(Response page) {
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        String csp = page.header("Content-Security-Policy");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), csp);
        assertEquals("no-referrer", page.header("Referrer-Policy"));
        assertEquals("no-store", page.header("Cache-Control"));
        assertFalse(page.asString().contains("<script"));
    }

    @Test
    void the_preferences_page_switches_categories_and_the_api_sees_it() throws Exception {
        Customer c = customer();
        Response page = given().get("/email-preferences?token=" + c.token());
        page.then().statusCode(200).body(containsString("<legend>Send me mail about</legend>"))
                .body(containsString("<input type=\"checkbox\" id=\"on-billing\" name=\"on\" value=\"billing\" checked><label for=\"on-billing\">"))
                .body(containsString("--brand:#ff5500;--on-brand:#000000;--link:#1f2328")).body(containsString("Acme Proxies"))
                .body(containsString("action=\"/email-preferences?token=" + c.token() + "\""));
        assertPage(page);

        // a form without JavaScript sends the boxes left on; billing and marketing were switched off
        given().contentType(ContentType.URLENC).formParam("action", "save").formParam("on", "usage", "proxy", "render", "webhooks")
                .post("/email-preferences?token=" + c.token()).then().statusCode(200).body(containsString("Your choices are saved."))
                .body(containsString("value=\"billing\"><label")).body(containsString("value=\"usage\" checked>"));
        given().get("/v1/unsubscribe?token=" + c.token()).then().statusCode(200).body("subscriptions.billing", equalTo(false))
                .body("subscriptions.marketing", equalTo(false)).body("subscriptions.usage", equalTo(true))
                .body("unsubscribed_from_all", equalTo(false));

        given().contentType(ContentType.URLENC).formParam("action", "unsubscribe-all").post("/email-preferences?token=" + c.token())
                .then().statusCode(200).body(containsString("value=\"resubscribe\""));
        given().get("/v1/unsubscribe?token=" + c.token()).then().body("unsubscribed_from_all", equalTo(true));
        given().contentType(ContentType.URLENC).formParam("action", "resubscribe").post("/email-preferences?token=" + c.token())
                .then().statusCode(200).body(not(containsString("value=\"resubscribe\"")));
        given().get("/v1/unsubscribe?token=" + c.token()).then().body("unsubscribed_from_all", equalTo(false))
                .body("subscriptions.billing", equalTo(false));
    }

    @Test
    void the_unsubscribe_page_asks_first_and_one_click_unsubscribes_at_once() throws Exception {
        Customer c = customer();
        Response ask = given().get("/unsubscribe?token=" + c.token());
        ask.then().statusCode(200).body(containsString("Unsubscribe from our mail?"));
        assertPage(ask);
        given().get("/v1/unsubscribe?token=" + c.token()).then().body("unsubscribed_from_all", equalTo(false)); // a GET changes nothing
        given().contentType(ContentType.URLENC).formParam("action", "unsubscribe").post("/unsubscribe?token=" + c.token())
                .then().statusCode(200).body(containsString("You are unsubscribed"));
        given().get("/v1/unsubscribe?token=" + c.token()).then().body("unsubscribed_from_all", equalTo(true));
        given().contentType(ContentType.URLENC).formParam("action", "resubscribe").post("/unsubscribe?token=" + c.token())
                .then().statusCode(200).body(containsString("You are subscribed again"));
        given().get("/v1/unsubscribe?token=" + c.token()).then().body("unsubscribed_from_all", equalTo(false));
        // RFC 8058: the mail client posts List-Unsubscribe=One-Click to the header's address
        given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click").post("/unsubscribe?token=" + c.token())
                .then().statusCode(200);
        given().get("/v1/unsubscribe?token=" + c.token()).then().body("unsubscribed_from_all", equalTo(true));

        for (String bad : List.of("garbage", c.token() + "x", tokens.issue(UUID.randomUUID()), "")) {
            Response unknown = given().get("/email-preferences?token=" + bad);
            unknown.then().statusCode(404).body(containsString("This link is not valid"));
            assertPage(unknown);
            given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click").post("/unsubscribe?token=" + bad)
                    .then().statusCode(404);
        }
    }

    @Test
    void every_link_of_every_template_opens_a_hosted_page() throws Exception {
        Customer c = customer();
        String admin = TestTokens.user(c.user(), c.tenant()).roles("admin").sign();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("template", "all", "to", c.email()))
                .post("/v1/admin/notifications/test-email").then().statusCode(200);
        int templates = MailKind.values().length;
        MailPreferencesTest.await(templates + " mails", () -> SmtpSandbox.mail().messagesTo(c.email()).size() == templates);
        Set<String> followed = new LinkedHashSet<>();
        for (MailSandbox.Message m : SmtpSandbox.mail().messagesTo(c.email())) {
            String raw = MailPreferencesTest.unfold(m.data());
            String body = MailPreferencesTest.decoded(raw);
            List<String> links = links(body);
            Matcher header = Pattern.compile("List-Unsubscribe: <([^>]+)>").matcher(raw);
            if (header.find()) {
                links.add(header.group(1));
            }
            assertFalse(links.isEmpty(), "a mail without a link: " + m.subject());
            for (String link : links) {
                assertTrue(link.startsWith(BASE + "/"), m.subject() + ": a link off the gateway: " + link);
                URI uri = URI.create(link);
                assertTrue(PAGE.matcher(uri.getPath()).matches(), m.subject() + ": a link to no page: " + link);
                assertFalse(uri.getPath().startsWith("/v1/"), m.subject() + ": an API link: " + link);
                if (uri.getPath().equals("/")) {
                    assertTrue(LANDING_SECTIONS.contains(uri.getFragment()), m.subject() + ": no such section of the landing: " + link);
                }
                if (uri.getPath().equals("/unsubscribe") || uri.getPath().equals("/email-preferences")) {
                    // this service's own pages, followed here; the others are followed through the gateway in e2e
                    Response page = given().get(uri.getRawPath() + "?" + uri.getRawQuery());
                    page.then().statusCode(200);
                    assertPage(page);
                }
                followed.add(uri.getPath().replaceAll("[0-9a-f-]{36}", "{id}") + (uri.getFragment() == null ? "" : "#" + uri.getFragment()));
            }
        }
        assertTrue(followed.containsAll(Set.of("/verify-email", "/reset-password", "/billing/payments/{id}", "/unsubscribe",
                "/email-preferences", "/#top-up", "/#traffic", "/#ports", "/#render-jobs", "/#webhooks")), followed.toString());
    }

    /** Every URL of a mail's decoded text and HTML parts, HTML entities undone. */
    static List<String> links(String body) {
        Matcher url = Pattern.compile("https?://[^\\s\"<>]+").matcher(body);
        List<String> out = new java.util.ArrayList<>();
        while (url.find()) {
            String link = url.group().replace("&amp;", "&");
            if (!link.startsWith("https://partner.example")) { // the sample's webhook endpoint, quoted as text
                out.add(link);
            }
        }
        return out;
    }
}
