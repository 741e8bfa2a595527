package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tollgate.identity.support.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Every route that needs a user session: no token is 401, an API key's token is 403 JWT_ONLY. */
@QuarkusTest
class AuthorizationMatrixTest {

    private record Route(String method, String path, String body) {
    }

    private static final String ANY = UUID.randomUUID().toString();

    private static final List<Route> SESSION_ONLY = List.of(
            new Route("POST", "/v1/auth/logout", null),
            new Route("GET", "/v1/auth/login-history", null),
            new Route("GET", "/v1/auth/sessions", null),
            new Route("DELETE", "/v1/auth/sessions", null),
            new Route("DELETE", "/v1/auth/sessions/" + ANY, null),
            new Route("POST", "/v1/auth/password/change", "{\"current_password\": \"A-b-c-1234\", \"new_password\": \"A-b-c-12345\"}"),
            new Route("POST", "/v1/auth/mfa/setup", "{}"),
            new Route("POST", "/v1/auth/mfa/verify", "{\"factor_id\": \"" + ANY + "\", \"code\": \"123456\"}"),
            new Route("POST", "/v1/auth/mfa/disable", "{\"code\": \"123456\"}"),
            new Route("PATCH", "/v1/me", "{\"full_name\": \"X\"}"),
            new Route("GET", "/v1/api-keys", null),
            new Route("GET", "/v1/api-keys/scopes", null),
            new Route("POST", "/v1/api-keys", "{\"name\": \"x\", \"scopes\": [\"proxy:read\"]}"),
            new Route("GET", "/v1/api-keys/" + ANY, null),
            new Route("PATCH", "/v1/api-keys/" + ANY, "{\"name\": \"y\"}"),
            new Route("POST", "/v1/api-keys/" + ANY + "/regenerate", null),
            new Route("POST", "/v1/api-keys/" + ANY + "/revoke", null),
            new Route("DELETE", "/v1/api-keys/" + ANY, null),
            new Route("GET", "/v1/admin/users", null),
            new Route("GET", "/v1/tenants/" + ANY, null));

    private static RequestSpecification call(Route route, String token) {
        RequestSpecification spec = given().contentType("application/json");
        if (route.body() != null) {
            spec = spec.body(route.body());
        }
        return token == null ? spec : spec.auth().oauth2(token);
    }

    @Test
    void without_a_token_every_session_route_is_401() {
        for (Route route : SESSION_ONLY) {
            call(route, null).request(route.method(), route.path()).then()
                    .statusCode(401).contentType("application/problem+json").body("code", equalTo("UNAUTHORIZED"));
        }
    }

    @Test
    void with_an_api_key_every_session_route_is_403_jwt_only() {
        Accounts.Account account = Accounts.signedIn();
        String secret = ApiKeysTest.create(account.accessToken(), "{\"name\": \"matrix\", \"scopes\": "
                + "[\"account:read\", \"proxy:read\", \"proxy:write\", \"billing:read\", \"webhooks:read\"]}").path("secret_key");
        String keyToken = ApiKeysTest.exchange(secret, "127.0.0.1").then().statusCode(200).extract().path("access_token");
        for (Route route : SESSION_ONLY) {
            call(route, keyToken).request(route.method(), route.path()).then()
                    .statusCode(403).contentType("application/problem+json").body("code", equalTo("JWT_ONLY"));
        }
        // Reading the profile is allowed to a key with account:read.
        given().auth().oauth2(keyToken).get("/v1/me").then().statusCode(200).body("auth.source", equalTo("api_key"));
    }

    @Test
    void empty_bodies_are_validation_problems() {
        for (String path : List.of("/v1/auth/refresh", "/v1/auth/login", "/v1/auth/register", "/v1/auth/mfa/challenge",
                "/v1/auth/password/reset/confirm", "/v1/auth/verify/email")) {
            given().contentType("application/json").body("{}").post(path).then()
                    .statusCode(400).contentType("application/problem+json").body("code", equalTo("VALIDATION_ERROR"));
        }
    }
}
