package io.tollgate.e2e;

import io.restassured.response.Response;
import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every template rendered (the administrators' test mail sends all of them) and every link in it
 * followed through the gateway, as a browser would follow it: each one is a page (HTML with the
 * page headers), none an API path or an error. The sample's payment is one billing does not know,
 * so its page is the 404 page; a real receipt's link is followed in {@link BrowserPagesJourneyTest}.
 */
@ExtendWith(FleetExtension.class)
class MailLinksJourneyTest {

    @Test
    void every_link_of_every_template_opens_a_page_through_the_gateway(Fleet fleet) throws Exception {
        var admin = Journeys.admin(fleet);
        String gateway = fleet.gatewayUrl();
        String to = "links-" + UUID.randomUUID() + "@example.com";
        List<Map<String, Object>> sent = Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("template", "all", "to", to)).post("/v1/admin/notifications/test-email").then().statusCode(200)
                .extract().path("sent");
        long end = System.nanoTime() + 60_000_000_000L;
        while (fleet.mail().messagesTo(to).size() < sent.size()) {
            assertTrue(System.nanoTime() < end, "not every test mail arrived");
            Thread.sleep(200);
        }
        Set<String> pages = new LinkedHashSet<>();
        int followed = 0;
        for (MailSandbox.Message mail : fleet.mail().messagesTo(to)) {
            List<String> links = MailText.links(mail).stream().filter(l -> !l.startsWith("https://partner.example")).toList();
            assertFalse(links.isEmpty(), mail.subject() + " has no link");
            for (String link : links) {
                assertTrue(link.startsWith(gateway + "/"), mail.subject() + ": a link off the gateway: " + link);
                URI uri = URI.create(link);
                assertFalse(uri.getPath().startsWith("/v1/"), mail.subject() + ": an API link, which a browser cannot use: " + link);
                Response page = Journeys.at(gateway, admin.ip()).redirects().follow(false).get(uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
                boolean samplePayment = uri.getPath().startsWith("/billing/payments/");
                assertEquals(samplePayment ? 404 : 200, page.statusCode(), mail.subject() + ": " + link + "\n" + page.asString());
                assertTrue(page.contentType().startsWith("text/html"), mail.subject() + ": " + link + " is " + page.contentType());
                String csp = page.header("Content-Security-Policy");
                assertTrue(csp != null && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), link + ": " + csp);
                assertEquals("no-referrer", page.header("Referrer-Policy"), link);
                assertEquals("no-store", page.header("Cache-Control"), link);
                if (uri.getFragment() != null) {
                    assertTrue(page.asString().contains("id=\"" + uri.getFragment() + "\""), link + ": the page has no #" + uri.getFragment());
                }
                pages.add(uri.getPath().replaceAll("[0-9a-f-]{36}", "{id}"));
                followed++;
            }
        }
        assertEquals(Set.of("/", "/verify-email", "/reset-password", "/billing/payments/{id}", "/unsubscribe", "/email-preferences"), pages);
        System.out.println("mail links: " + sent.size() + " templates, " + followed + " links followed, every one a page");
    }
}
