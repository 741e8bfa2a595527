package io.tollgate.e2e;

import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A low-balance mail with its one-click unsubscribe, used through the gateway; preferences and the admin test mail too. */
@ExtendWith(FleetExtension.class)
class MailPreferencesJourneyTest {

    /**
     * An optional mail for {@code account}: the low-balance alert, after the admin grants 15.00, the
     * user sets an alert at 10.00 and the admin claws 6.00 back.
     */
    static MailSandbox.Message lowBalanceMail(Fleet fleet, Journeys.Account admin, Journeys.Account account) throws InterruptedException {
        String gateway = fleet.gatewayUrl();
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", 1_500, "reason", "journey")).post("/v1/admin/billing/users/" + account.userId()
                        + "/credits/grant").then().statusCode(201);
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("threshold_minor", 1_000)).post("/v1/billing/alerts").then().statusCode(200);
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", 600, "reason", "journey")).post("/v1/admin/billing/users/" + account.userId()
                        + "/credits/clawback").then().statusCode(201);
        return MailText.await(fleet, account.email(), "Your balance is low");
    }

    @Test
    void the_unsubscribe_link_of_a_low_balance_mail_works_through_the_gateway(Fleet fleet) throws Exception {
        var admin = Journeys.admin(fleet);
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance").then().statusCode(200);
        String raw = MailText.unfold(lowBalanceMail(fleet, admin, account).data());
        assertTrue(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), raw);
        Matcher token = Pattern.compile("List-Unsubscribe: <[^>]*/unsubscribe\\?token=([^>]+)>").matcher(raw);
        assertTrue(token.find(), raw);

        // what a mail client does with it: a POST without credentials to the header's address (the page's), through the gateway
        Journeys.at(gateway, account.ip()).contentType("application/x-www-form-urlencoded").formParam("List-Unsubscribe", "One-Click")
                .post("/unsubscribe?token=" + token.group(1)).then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/html"));
        // older mail named the API's one-click address, which keeps working
        Journeys.at(gateway, account.ip()).contentType("application/x-www-form-urlencoded").formParam("List-Unsubscribe", "One-Click")
                .post("/v1/unsubscribe/all?token=" + token.group(1)).then().statusCode(200).body("unsubscribed_from_all", equalTo(true));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/email-preferences").then().statusCode(200)
                .body("unsubscribed_from_all", equalTo(true));
        Journeys.at(gateway, account.ip()).post("/v1/unsubscribe/all?token=forged").then().statusCode(404);
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("billing", false)).patch("/v1/email-preferences").then().statusCode(200)
                .body("subscriptions.billing", equalTo(false));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("security", false)).patch("/v1/email-preferences").then().statusCode(400)
                .contentType("application/problem+json");

        String to = "ops-" + account.userId() + "@example.com";
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("template", "welcome", "to", to)).post("/v1/admin/notifications/test-email").then().statusCode(200)
                .body("sent[0].ok", equalTo(true));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("template", "welcome", "to", to)).post("/v1/admin/notifications/test-email").then().statusCode(403);
    }
}
