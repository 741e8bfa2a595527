package io.tollgate.e2e;

import io.restassured.response.Response;
import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The links our mail carries, opened and used in a real browser (Debian's Chromium, headless, over
 * the DevTools protocol) through the gateway, as a person would: verify the address, reset a
 * password with the keyboard alone, switch mail off, pay at the provider and come back. Every page
 * is screenshotted to {@code e2e/target/screenshots/} and passes the in-page accessibility check.
 */
@ExtendWith(FleetExtension.class)
class BrowserPagesJourneyTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static void assertAccessible(Chromium browser, String page) throws Exception {
        List<String> violations = browser.accessibilityViolations();
        assertEquals(List.of(), violations, "accessibility of " + page + " (" + browser.url() + ")");
    }

    private static String claims(String jwt) {
        return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    @Test
    void a_new_user_opens_the_verification_mail_clicks_its_link_and_signs_in(Fleet fleet) throws Exception {
        String ip = Journeys.randomIp();
        String email = "browser-" + UUID.randomUUID() + "@example.com";
        Journeys.at(fleet.gatewayUrl(), ip).contentType("application/json").body(Map.of("tenant_slug", "default", "email", email,
                "password", Journeys.PASSWORD, "full_name", "Browser User", "accept_terms", true)).post("/v1/auth/register")
                .then().statusCode(201);
        MailSandbox.Message mail = MailText.await(fleet, email, "Verify your e-mail address");
        String link = MailText.link(mail, "Verify my address");
        assertTrue(link.startsWith(fleet.gatewayUrl() + "/verify-email?token="), link);

        try (Chromium browser = Chromium.start(ip, SCREENSHOTS)) {
            browser.open(link);
            assertTrue(browser.text().contains("Your address is confirmed"), browser.text());
            assertTrue(browser.title().startsWith("Address confirmed"), browser.title());
            browser.screenshot("verify-email-confirmed");
            assertAccessible(browser, "verify e-mail");

            // the same link again: nothing more to do
            browser.open(link);
            assertTrue(browser.text().contains("already confirmed"), browser.text());

            // the landing the page links to
            browser.clickAndWait("main a");
            assertTrue(browser.url().startsWith(fleet.gatewayUrl() + "/"), browser.url());
            assertTrue(browser.text().contains("API documentation"), browser.text());
            browser.screenshot("landing");
            assertAccessible(browser, "landing");
        }
        Response login = Journeys.at(fleet.gatewayUrl(), ip).contentType("application/json")
                .body(Map.of("email", email, "password", Journeys.PASSWORD, "device_name", "browser")).post("/v1/auth/login");
        login.then().statusCode(200);
        assertTrue(claims(login.path("access_token")).contains("\"email_verified\":true"), claims(login.path("access_token")));
    }

    @Test
    void a_forgotten_password_is_reset_from_the_mails_link_with_the_keyboard_alone(Fleet fleet) throws Exception {
        Journeys.Account account = Journeys.newUser(fleet);
        // the browser is another address than the sign-up's: its forms count in a per-address bucket of their own (5 a minute)
        try (Chromium browser = Chromium.start(Journeys.randomIp(), SCREENSHOTS)) {
            // asked for on the page itself
            browser.open(fleet.gatewayUrl() + "/reset-password");
            browser.screenshot("reset-password-request");
            assertAccessible(browser, "reset request");
            browser.type("#email", account.email());
            browser.clickAndWait("button[type=submit]");
            assertTrue(browser.text().contains("Check your mail"), browser.text());

            MailSandbox.Message mail = MailText.await(fleet, account.email(), "Reset your password");
            String link = MailText.link(mail, "Choose a new password");
            assertTrue(link.startsWith(fleet.gatewayUrl() + "/reset-password?token="), link);
            browser.open(link);
            assertTrue(browser.text().contains("8 to 128 characters, with a lower-case letter, an upper-case letter and a digit"),
                    browser.text());
            assertAccessible(browser, "reset form");

            // keyboard only: Tab from the top goes skip link, new password, again, the button
            List<String> path = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                browser.press("Tab");
                path.add(browser.focused());
            }
            assertEquals(List.of("a", "input#password[password]", "input#confirm[password]", "button[submit]"), path);
            browser.type("#password", "Browser-Pass-7");
            browser.type("#confirm", "Browser-Pass-8");
            browser.pressEnterAndWait();
            assertTrue(browser.text().contains("The two passwords are not the same."), browser.text());
            // the field in error is marked for assistive technology and asks for the focus (autofocus)
            assertEquals("true|true|confirm-error", browser.eval("(() => { const f = document.querySelector('#confirm');"
                    + " return f.getAttribute('aria-invalid') + '|' + f.autofocus + '|' + f.getAttribute('aria-describedby'); })()").asText());
            browser.screenshot("reset-password-error");
            assertAccessible(browser, "reset form with an error");

            browser.type("#password", "Browser-Pass-7");
            browser.type("#confirm", "Browser-Pass-7");
            browser.pressEnterAndWait();
            assertTrue(browser.text().contains("Your password is changed"), browser.text());
            browser.screenshot("reset-password-done");
            assertAccessible(browser, "reset done");
        }
        String ip = Journeys.randomIp();
        Journeys.at(fleet.gatewayUrl(), ip).contentType("application/json")
                .body(Map.of("email", account.email(), "password", "Browser-Pass-7", "device_name", "browser")).post("/v1/auth/login")
                .then().statusCode(200);
        Journeys.at(fleet.gatewayUrl(), ip).contentType("application/json")
                .body(Map.of("email", account.email(), "password", Journeys.PASSWORD, "device_name", "browser")).post("/v1/auth/login")
                .then().statusCode(401);
    }

    @Test
    void a_mails_footer_links_switch_a_category_off_and_unsubscribe_and_the_api_sees_it(Fleet fleet) throws Exception {
        var admin = Journeys.admin(fleet);
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        // an optional mail: the low-balance alert (there is no marketing mail yet; its footer is the same)
        MailSandbox.Message mail = MailPreferencesJourneyTest.lowBalanceMail(fleet, admin, account);

        try (Chromium browser = Chromium.start(account.ip(), SCREENSHOTS)) {
            browser.open(MailText.link(mail, "choose which you get"));
            assertTrue(browser.text().contains("Send me mail about"), browser.text());
            browser.screenshot("email-preferences");
            assertAccessible(browser, "preferences");
            browser.click("label[for=on-marketing]");
            browser.click("label[for=on-billing]");
            browser.clickAndWait("form input[value=save] ~ button");
            assertTrue(browser.text().contains("Your choices are saved."), browser.text());
            browser.screenshot("email-preferences-saved");
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/email-preferences").then().statusCode(200)
                    .body("subscriptions.marketing", equalTo(false)).body("subscriptions.billing", equalTo(false))
                    .body("subscriptions.render", equalTo(true)).body("unsubscribed_from_all", equalTo(false));

            browser.open(MailText.link(mail, "Unsubscribe"));
            assertTrue(browser.text().contains("Unsubscribe from our mail?"), browser.text());
            browser.screenshot("unsubscribe-confirm");
            assertAccessible(browser, "unsubscribe");
            browser.clickAndWait("button[type=submit]");
            assertTrue(browser.text().contains("You are unsubscribed"), browser.text());
            browser.screenshot("unsubscribe-done");
            assertAccessible(browser, "unsubscribed");
        }
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/email-preferences").then().statusCode(200)
                .body("unsubscribed_from_all", equalTo(true));
    }

    @Test
    void a_sandbox_checkout_returns_to_the_page_that_shows_the_payment_succeeded(Fleet fleet) throws Exception {
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Response started = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("amount_minor", 2_000, "currency", "USD", "provider", "stripe")).post("/v1/billing/top-ups");
        started.then().statusCode(201);
        String paymentId = started.path("payment_id");
        try (Chromium browser = Chromium.start(account.ip(), SCREENSHOTS)) {
            browser.open(started.path("redirect_url"));
            browser.screenshot("sandbox-checkout");
            browser.clickAndWait("form[action$='/pay'] button");
            assertTrue(browser.url().startsWith(gateway + "/billing/payments/" + paymentId + "?sig="), browser.url());
            browser.awaitText("Payment received", Duration.ofSeconds(30));
            assertTrue(browser.text().contains("20.00 USD was added to your balance"), browser.text());
            browser.screenshot("payment-succeeded");
            assertAccessible(browser, "payment page");

            MailSandbox.Message receipt = MailText.await(fleet, account.email(), "Your payment receipt");
            String link = MailText.link(receipt, "View payment");
            assertEquals(browser.url(), link, "the receipt links to the same page");
        }
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/payments/" + paymentId).then()
                .statusCode(200).body("status", equalTo("succeeded"));
    }

    @Test
    void swagger_ui_still_opens_at_v1_docs(Fleet fleet) throws Exception {
        try (Chromium browser = Chromium.start(Journeys.randomIp(), SCREENSHOTS)) {
            browser.open(fleet.gatewayUrl() + "/v1/docs/");
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (browser.eval("document.querySelectorAll('.opblock').length").asInt() == 0) {
                assertTrue(System.nanoTime() < end, "Swagger UI listed no operations:\n" + browser.text());
                Thread.sleep(250);
            }
            assertTrue(browser.text().contains("/v1/auth/login"), "the merged document's operations");
            browser.screenshot("swagger-ui");
        }
    }
}
