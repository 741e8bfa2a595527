package io.tollgate.e2e;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.tollgate.sandbox.MailSandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;

/** Steps many journeys share: a client at its own address, and a verified, signed-in account. */
final class Journeys {

    static final String PASSWORD = "Journey-Pass-1";

    /** A signed-in user and the address it calls from. */
    record Account(String userId, String email, String accessToken, String refreshToken, String ip) {
    }

    private Journeys() {
    }

    /** Addresses handed out so far; the first is random so that runs against one gateway differ. */
    private static final AtomicInteger NEXT_IP = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));

    /**
     * An address in the benchmarking range 198.18.0.0/15 that no other journey of this run has, so
     * each journey has per-address rate buckets of its own (sign-up, verification and sign-in are
     * three of the five auth calls an address may make a minute: two journeys drawn onto one address
     * at random would share them).
     */
    static String randomIp() {
        int n = Math.floorMod(NEXT_IP.getAndIncrement(), 2 * 256 * 254);
        int host = n % 254 + 1;
        int net = n / 254;
        return "198." + (18 + net / 256) + "." + (net % 256) + "." + host;
    }

    /** Requests to {@code baseUrl} as a client at {@code ip} (the gateway trusts loopback's X-Forwarded-For). */
    static RequestSpecification at(String baseUrl, String ip) {
        return given().baseUri(baseUrl).header("X-Forwarded-For", ip);
    }

    static Account signUp(Fleet fleet, String email) {
        String ip = randomIp();
        String gateway = fleet.gatewayUrl();
        String register = "{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + PASSWORD
                + "\", \"full_name\": \"Journey User\", \"accept_terms\": true}";
        String userId = at(gateway, ip).contentType("application/json").body(register).post("/v1/auth/register")
                .then().statusCode(201).extract().path("user_id");
        at(gateway, ip).contentType("application/json").body("{\"token\": \"" + verificationToken(fleet, email) + "\"}")
                .post("/v1/auth/verify/email").then().statusCode(200);
        return signIn(fleet, userId, email, ip);
    }

    static Account signIn(Fleet fleet, String userId, String email, String ip) {
        Response login = at(fleet.gatewayUrl(), ip).contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\", \"device_name\": \"e2e\"}")
                .post("/v1/auth/login");
        login.then().statusCode(200);
        return new Account(userId, email, login.path("access_token"), login.path("refresh_token"), ip);
    }

    private static Account admin;

    /** The run's platform administrator, registered with the address the fleet declares as admin. */
    static synchronized Account admin(Fleet fleet) {
        if (admin == null) {
            admin = signUp(fleet, Fleet.ADMIN_EMAIL);
        }
        return admin;
    }

    static Account newUser(Fleet fleet) {
        return signUp(fleet, "journey-" + UUID.randomUUID() + "@example.com");
    }

    /**
     * The verification secret, read from the mail the user receives: identity's event carries it
     * sealed for notification-svc only, so the mail is the one place it appears in clear.
     */
    static String verificationToken(Fleet fleet, String email) {
        return verificationToken(fleet, email, Duration.ofSeconds(60));
    }

    /** The same, waiting up to {@code timeout} for the mail (longer where a fault may hold it up). */
    static String verificationToken(Fleet fleet, String email, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Pattern link = Pattern.compile("verify-email\\?token=([A-Za-z0-9_%.~-]+)");
        while (System.nanoTime() < end) {
            for (MailSandbox.Message mail : fleet.mail().messagesTo(email)) {
                Matcher m = link.matcher(mail.data());
                if ("Verify your e-mail address".equals(mail.subject()) && m.find()) {
                    return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no verification mail for " + email + " within " + timeout);
    }
}
