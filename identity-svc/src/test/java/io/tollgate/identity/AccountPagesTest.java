package io.tollgate.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.identity.support.Accounts;
import io.tollgate.kit.testing.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pages the verification and reset mails link to, as a browser without JavaScript uses them. */
@QuarkusTest
class AccountPagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every page: HTML, no script allowed, its one style allowed by hash, never framed, cached or referred. */
    static void assertPageHeaders(Response page) {
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        String csp = page.header("Content-Security-Policy");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("script-src"), csp);
        assertEquals("no-referrer", page.header("Referrer-Policy"));
        assertEquals("no-store", page.header("Cache-Control"));
        assertEquals("nosniff", page.header("X-Content-Type-Options"));
        String html = page.asString();
        assertFalse(html.contains("<script"), "no script on a page");
        Matcher style = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(html);
        assertTrue(style.find(), "one inline stylesheet");
        assertTrue(csp.contains("'sha256-" + sha256(style.group(1)) + "'"), "the stylesheet is allowed by its hash: " + csp);
        assertFalse(html.contains(" style=\""), "no style attributes (CSP would block them)");
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String secret(KafkaProbe probe, String userId, String type, String name) throws Exception {
        ConsumerRecord<String, byte[]> record = probe.first(r -> userId.equals(r.key()) && type.equals(KafkaProbe.header(r, "ce_type")),
                Duration.ofSeconds(20));
        return AccountRecoveryTest.secrets(JSON.readTree(record.value()), type).get(name).asText();
    }

    private static Response form(String path, String... pairs) {
        var request = given().contentType("application/x-www-form-urlencoded; charset=utf-8");
        for (int i = 0; i < pairs.length; i += 2) {
            request = request.formParam(pairs[i], pairs[i + 1]);
        }
        return request.post(path);
    }

    @Test
    void the_landing_names_the_deployment_and_links_to_the_api_docs() {
        Response page = given().get("/");
        page.then().statusCode(200).body(containsString("<h1>Tollgate</h1>")).body(containsString("href=\"/v1/docs\""))
                .body(containsString("id=\"top-up\"")).body(containsString("<main id=\"main\""));
        assertPageHeaders(page);
        // a tenant the deployment does not know is the default tenant's page, not an error
        given().get("/?tenant=no-such-tenant").then().statusCode(200);
    }

    @Test
    void the_verification_link_confirms_once_then_says_it_is_already_done() throws Exception {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            String email = Accounts.newEmail();
            String userId = Accounts.register(email).then().statusCode(201).extract().path("user_id");
            String token = secret(probe, userId, VerificationRequested.TYPE, "token");

            Response done = given().queryParam("token", token).get("/verify-email");
            done.then().statusCode(200).body(containsString("Your address is confirmed"));
            assertPageHeaders(done);
            given().queryParam("token", token).get("/verify-email").then().statusCode(200)
                    .body(containsString("Your address is already confirmed"));
            String access = Accounts.login(email, Accounts.PASSWORD).then().statusCode(200).extract().path("access_token");
            assertEquals(Boolean.TRUE, LoginTest.verifyWithJwks(access).getClaimValue("email_verified"));
        }
        given().queryParam("token", "not-a-token").get("/verify-email").then().statusCode(200)
                .body(containsString("This link is not valid")).body(containsString("name=\"code\""));
    }

    @Test
    void a_superseded_link_offers_a_new_mail_and_the_code_form_answers_inline() throws Exception {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            String email = Accounts.newEmail();
            String userId = Accounts.register(email).then().statusCode(201).extract().path("user_id");
            String first = secret(probe, userId, VerificationRequested.TYPE, "token");
            given().contentType("application/json").body("{\"email\": \"" + email + "\"}").post("/v1/auth/verify/resend")
                    .then().statusCode(202);
            List<ConsumerRecord<String, byte[]>> requests = probe.collect(r -> userId.equals(r.key())
                    && VerificationRequested.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(15), Duration.ofSeconds(2));
            assertEquals(1, requests.size());

            given().queryParam("token", first).get("/verify-email").then().statusCode(200)
                    .body(containsString("This link has expired")).body(containsString("value=\"resend\""));
            form("/verify-email", "action", "resend", "token", first).then().statusCode(200).body(containsString("Check your mail"));
            String code = AccountRecoveryTest.secrets(JSON.readTree(probe.first(r -> userId.equals(r.key())
                            && VerificationRequested.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20)).value()),
                    VerificationRequested.TYPE).get("code").asText();

            Response bad = form("/verify-email", "action", "code", "email", "not an address", "code", "12");
            bad.then().statusCode(400).body(containsString("id=\"email-error\"")).body(containsString("id=\"code-error\""))
                    .body(containsString("aria-invalid=\"true\"")).body(containsString("value=\"not an address\""));
            assertPageHeaders(bad);
            String wrong = code.equals("000000") ? "111111" : "000000";
            form("/verify-email", "email", email, "code", wrong).then().statusCode(400).body(containsString("That code is wrong"));
            form("/verify-email", "email", email, "code", code).then().statusCode(200).body(containsString("Your address is confirmed"));
        }
    }

    @Test
    void the_reset_page_checks_the_api_policy_inline_and_sets_the_password_once() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            Response request = form("/reset-password", "action", "request", "email", account.email());
            request.then().statusCode(200).body(containsString("Check your mail"));
            String token = secret(probe, account.userId(), PasswordResetRequested.TYPE, "token");

            Response open = given().queryParam("token", token).get("/reset-password");
            open.then().statusCode(200).body(containsString("Choose a new password"))
                    .body(containsString("8 to 128 characters, with a lower-case letter, an upper-case letter and a digit"))
                    .body(containsString("autocomplete=\"new-password\"")).body(containsString("<label for=\"password\">"));
            assertPageHeaders(open);

            form("/reset-password", "token", token, "password", "weak", "confirm", "weak").then().statusCode(400)
                    .body(containsString("id=\"password-error\"")).body(containsString("The password must be 8 to 128 characters."));
            form("/reset-password", "token", token, "password", "alllowercase1", "confirm", "alllowercase1").then().statusCode(400)
                    .body(containsString("must contain a lower-case letter, an upper-case letter and a digit"));
            form("/reset-password", "token", token, "password", "Page-Set-Pass-4", "confirm", "Page-Set-Pass-5").then().statusCode(400)
                    .body(containsString("id=\"confirm-error\""));
            form("/reset-password", "token", token, "password", "Page-Set-Pass-4", "confirm", "Page-Set-Pass-4").then().statusCode(200)
                    .body(containsString("Your password is changed"));
            given().queryParam("token", token).get("/reset-password").then().statusCode(200)
                    .body(containsString("This link was already used")).body(not(containsString("name=\"password\"")));
            form("/reset-password", "token", token, "password", "Page-Set-Pass-6", "confirm", "Page-Set-Pass-6").then().statusCode(400);
        }
        Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(401);
        Accounts.login(account.email(), "Page-Set-Pass-4").then().statusCode(200);
        given().queryParam("token", "x".repeat(101)).get("/reset-password").then().statusCode(200)
                .body(containsString("expired or is not valid"));
    }

    @Test
    void a_tenants_branding_colours_the_page_and_its_footer_keeps_only_safe_markup() {
        String admin = AdminUsersTest.adminToken();
        String slug = "pages-" + Long.toString(System.nanoTime(), 36);
        String tenantId = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"slug\": \"" + slug + "\", \"name\": \"Acme\", \"contact_email\": \"ops@acme.example\"}")
                .post("/v1/tenants").then().statusCode(201).extract().path("id");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"display_name\": \"Acme Proxies\", \"primary_color\": \"#0B6E4F\", \"font_family\": \"Georgia, serif\","
                        + " \"logo_url\": \"https://cdn.acme.example/logo.png\","
                        + " \"email_footer_html\": \"Acme Ltd<br><a href=\\\"https://acme.example/help\\\" onclick=\\\"x()\\\">Help</a><script>alert(1)</script>\"}")
                .put("/v1/tenants/" + tenantId + "/branding").then().statusCode(200);
        Response page = given().get("/reset-password?tenant=" + slug);
        page.then().statusCode(200).body(containsString("--brand:#0b6e4f")).body(containsString("--font:Georgia, serif"))
                .body(containsString("<img src=\"https://cdn.acme.example/logo.png\" alt=\"Acme Proxies\">"))
                .body(containsString("Acme Ltd<br><a href=\"https://acme.example/help\">Help</a>alert(1)"))
                .body(not(containsString("<script"))).body(not(containsString("onclick")));
        assertPageHeaders(page);
        page.then().header("Content-Security-Policy", containsString("img-src 'self' https://cdn.acme.example"));
        given().get("/verify-email?tenant=" + slug).then().statusCode(200).body(containsString("<title>Confirm your e-mail address · Acme Proxies</title>"));
        // The pages are not part of the API's description.
        given().get("/v1/nothing").then().statusCode(404).contentType(startsWith("application/problem+json"));
    }
}
