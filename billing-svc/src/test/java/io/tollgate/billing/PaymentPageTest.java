package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page a customer lands on back from the provider's checkout, opened by its signed link alone. */
@QuarkusTest
@QuarkusTestResource(Sandbox.class)
class PaymentPageTest {

    private static final String BASE = "http://127.0.0.1:8080";

    @BeforeEach
    void pointTheProviderAtUs() {
        Sandbox.running.webhookUrl("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/stripe");
    }

    private static Response topUp(Money.User user) {
        return given().auth().oauth2(user.token()).contentType("application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .body("{\"amount_minor\": 1500, \"currency\": \"USD\", \"provider\": \"stripe\"}").post("/v1/billing/top-ups");
    }

    /** What the customer's browser does on the hosted page: the form's POST, answered with a redirect back to us. */
    private static String pressOnCheckout(String intent, String button) throws Exception {
        try (HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()) {
            HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(URI.create(Sandbox.running.baseUrl() + "/stripe/checkout/"
                    + intent + "/" + button)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, answer.statusCode(), answer.body());
            return answer.headers().firstValue("Location").orElseThrow();
        }
    }

    private static Response open(String link) {
        URI uri = URI.create(link);
        return given().get(uri.getRawPath() + "?" + uri.getRawQuery());
    }

    private static void assertPage(Response page) {
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        String csp = page.header("Content-Security-Policy");
        assertTrue(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline") && !csp.contains("script-src"), csp);
        assertEquals("no-referrer", page.header("Referrer-Policy"));
        assertEquals("no-store", page.header("Cache-Control"));
        assertFalse(page.asString().contains("<script"));
    }

    @Test
    void the_customer_comes_back_from_the_checkout_to_the_payments_live_state() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user);
        String paymentId = started.then().statusCode(201).extract().path("payment_id");
        String intent = started.path("provider_payment_id");
        String link = Sandbox.running.intent(intent).returnUrl();
        assertTrue(link.startsWith(BASE + "/billing/payments/" + paymentId + "?sig="), "the provider is told where to send the customer: " + link);

        Response pending = open(link);
        pending.then().statusCode(200).body(containsString("Payment in progress")).body(containsString("<meta http-equiv=\"refresh\" content=\"3\">"))
                .body(containsString("15.00 USD"));
        assertPage(pending);

        assertEquals(link, pressOnCheckout(intent, "pay"));
        Response paid = open(link);
        paid.then().statusCode(200).body(containsString("Payment received")).body(containsString("<strong>15.00 USD</strong> was added"))
                .body(containsString("<dd>succeeded</dd>")).body(not(containsString("http-equiv=\"refresh\"")));
        assertPage(paid);
    }

    @Test
    void the_page_takes_the_tenants_branding_from_identitys_events() throws Exception {
        io.tollgate.kit.testing.Events.publish(new io.tollgate.contracts.identity.TenantUpdated(Money.TENANT, "billing-pages", "Acme",
                "Active", "USD", java.util.List.of(), null, java.util.Map.of("display_name", "Acme Payments", "primary_color", "#0B6E4F"),
                java.time.Instant.now()), null, Money.TENANT.toString(), "identity-svc");
        Money.User user = Money.user(0);
        String link = Sandbox.running.intent(topUp(user).then().statusCode(201).extract().path("provider_payment_id")).returnUrl();
        long end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!open(link).asString().contains("Acme Payments")) {
            assertTrue(System.nanoTime() < end, "the tenant's branding never reached the page");
            Thread.sleep(200);
        }
        open(link).then().statusCode(200).body(containsString("--brand:#0b6e4f")).body(containsString("<title>Payment in progress · Acme Payments</title>"));
    }

    @Test
    void a_declined_payment_says_so_and_a_wrong_signature_finds_nothing() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user);
        String paymentId = started.then().statusCode(201).extract().path("payment_id");
        String link = pressOnCheckout(started.path("provider_payment_id"), "decline");
        open(link).then().statusCode(200).body(containsString("Payment failed")).body(containsString("Your card was declined"))
                .body(containsString("#top-up"));

        String other = Sandbox.running.intent(topUp(user).then().statusCode(201).extract().path("provider_payment_id")).returnUrl();
        String otherSig = URI.create(other).getRawQuery();
        Response forged = given().get("/billing/payments/" + paymentId + "?" + otherSig);
        forged.then().statusCode(404).body(containsString("We cannot find this payment")).body(not(containsString("15.00")));
        assertPage(forged);
        given().get("/billing/payments/" + paymentId).then().statusCode(404);
        given().get("/billing/payments/" + paymentId + "?sig=AAAA").then().statusCode(404);
        given().get("/billing/payments/not-a-uuid?sig=AAAA").then().statusCode(404).contentType(containsString("text/html"));
    }
}
