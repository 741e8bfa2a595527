package io.tollgate.identity;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.identity.support.Accounts;
import io.tollgate.identity.support.StubDns;
import io.tollgate.kit.testing.KafkaProbe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
@QuarkusTestResource(StubDns.class)
class TenantsTest {

    private static String slug() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Response createTenant(String token, String slug) {
        return given().auth().oauth2(token).contentType("application/json")
                .body("{\"slug\": \"" + slug + "\", \"name\": \"Acme\", \"contact_email\": \"ops@acme.example\"}")
                .post("/v1/tenants");
    }

    @Test
    void a_tenant_created_under_an_idempotency_key_is_created_once_and_replayed() {
        String admin = AdminUsersTest.adminToken();
        String slug = slug();
        String key = UUID.randomUUID().toString();
        String body = "{\"slug\": \"" + slug + "\", \"name\": \"Acme\", \"contact_email\": \"ops@acme.example\"}";
        String id = given().auth().oauth2(admin).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/tenants").then().statusCode(201).extract().path("id");
        given().auth().oauth2(admin).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/tenants").then().statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(id));
        createTenant(admin, slug).then().statusCode(409).body("code", equalTo("SLUG_TAKEN"));
    }

    @Test
    void a_white_label_tenant_with_branding_origins_users_and_a_verified_domain() throws Exception {
        String admin = AdminUsersTest.adminToken();
        String slug = slug();
        String tenantId = createTenant(admin, slug).then().statusCode(201).body("status", equalTo("Active")).extract().path("id");
        createTenant(admin, slug).then().statusCode(409).body("code", equalTo("SLUG_TAKEN"));

        given().get("/v1/tenants/by-slug/" + slug).then().statusCode(200).body("id", equalTo(tenantId))
                .body("contact_email", org.hamcrest.Matchers.nullValue());

        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"display_name\": \"Acme Proxies\", \"primary_color\": \"#112233\", \"email_from_name\": \"Acme\"}")
                    .put("/v1/tenants/" + tenantId + "/branding").then().statusCode(200).body("display_name", equalTo("Acme Proxies"));
            var event = probe.first(r -> tenantId.equals(r.key()) && TenantUpdated.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(TenantUpdated.TYPE, event.value());
        }
        given().auth().oauth2(admin).contentType("application/json").body("{\"primary_color\": \"red\"}")
                .put("/v1/tenants/" + tenantId + "/branding").then().statusCode(400).body("errors[0].field", equalTo("primary_color"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"allowed_origins\": [\"https://app.acme.example\"], \"billing_email\": \"billing@acme.example\"}")
                .patch("/v1/tenants/" + tenantId).then().statusCode(200)
                .body("allowed_origins", contains("https://app.acme.example"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"allowed_origins\": [\"https://x.example/path\"]}")
                .patch("/v1/tenants/" + tenantId).then().statusCode(400).body("errors[0].field", equalTo("allowed_origins[0]"));

        // A user registers into the tenant; the tenant's users live apart from the default tenant's.
        String email = Accounts.newEmail();
        given().contentType("application/json").body("{\"tenant_slug\": \"" + slug + "\", \"email\": \"" + email
                        + "\", \"password\": \"" + Accounts.PASSWORD + "\", \"full_name\": \"Acme User\", \"accept_terms\": true}")
                .post("/v1/auth/register").then().statusCode(201);
        Accounts.login(email, Accounts.PASSWORD).then().statusCode(401);
        String token = given().contentType("application/json").body("{\"tenant_slug\": \"" + slug + "\", \"email\": \"" + email
                        + "\", \"password\": \"" + Accounts.PASSWORD + "\"}").header("X-Forwarded-For", Accounts.someIp())
                .post("/v1/auth/login").then().statusCode(200).extract().path("access_token");
        given().auth().oauth2(token).get("/v1/me").then().body("tenant_id", equalTo(tenantId));
        // A customer cannot see tenants, not even their own.
        given().auth().oauth2(token).get("/v1/tenants/" + tenantId).then().statusCode(404);

        Response challenge = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"domain\": \"proxies.acme.example\", \"method\": \"DNS_TXT\"}").post("/v1/tenants/" + tenantId + "/domains/verify");
        challenge.then().statusCode(201).body("challenge_record", startsWith("_tollgate-challenge.proxies.acme.example TXT"));
        String verification = challenge.path("verification_id");
        String check = "/v1/tenants/" + tenantId + "/domains/verify/" + verification + "/check";
        given().auth().oauth2(admin).post(check).then().statusCode(409).body("code", equalTo("DOMAIN_NOT_VERIFIED"));
        String expected = ((String) challenge.path("challenge_record")).replaceAll("^.* TXT \"(.*)\"$", "$1");
        StubDns.publish("_tollgate-challenge.proxies.acme.example", expected);
        given().auth().oauth2(admin).post(check).then().statusCode(200)
                .body("custom_domain", equalTo("proxies.acme.example")).body("domain_verified", equalTo(true));
    }

    @Test
    void only_platform_admins_create_tenants_and_other_tenants_are_not_found() {
        Accounts.Account customer = Accounts.signedIn();
        createTenant(customer.accessToken(), slug()).then().statusCode(403).body("code", equalTo("ADMIN_ONLY"));
        given().auth().oauth2(customer.accessToken()).get("/v1/tenants/00000000-0000-4000-8000-000000000001").then().statusCode(404);
        given().get("/v1/tenants/by-slug/no-such-tenant-here").then().statusCode(404);
        String admin = AdminUsersTest.adminToken();
        createTenant(admin, "Bad Slug!").then().statusCode(400).body("errors[0].field", equalTo("slug"));
    }
}
