package io.tollgate.e2e;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mobile proxy ports through the gateway, with the fleet's device simulator and data plane
 * (journeys 8 to 10): buying slots and traffic, a port made with an API key carrying curl's
 * traffic over HTTP and SOCKS5 from the device's address, bulk creation with partial success, and
 * the rotation rules by the API and by the public link.
 */
@ExtendWith(FleetExtension.class)
class ProxyJourneyTest {

    /** A local origin: {@code /ip} answers the caller's address, {@code /bytes/N} N bytes. */
    private static HttpServer origin() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/ip", exchange -> {
            byte[] body = exchange.getRemoteAddress().getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/bytes/", exchange -> {
            int n = Integer.parseInt(exchange.getRequestURI().getPath().substring("/bytes/".length()));
            byte[] body = new byte[n];
            Arrays.fill(body, (byte) 'x');
            exchange.sendResponseHeaders(200, n);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /** What curl printed and the status it reported on its last line. */
    private record Curl(int exit, String body, String status) {
    }

    private static Curl curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-S", "--max-time", "20", "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not end");
        }
        int cut = out.lastIndexOf('\n');
        return new Curl(p.exitValue(), cut < 0 ? out : out.substring(0, cut), cut < 0 ? "" : out.substring(cut + 1));
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what + " within " + timeout);
            Thread.sleep(250);
        }
    }

    private static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * POST /v1/ports until the slots billing sold reach proxy-svc (they travel as
     * {@code entitlement.changed} on Kafka): a refusal for want of a slot takes no creation turn.
     */
    private static Response createPort(Fleet fleet, String ip, String apiKey, String body) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Response r = Journeys.at(fleet.gatewayUrl(), ip).header("X-API-Key", apiKey).contentType("application/json")
                    .body(body).post("/v1/ports");
            if (r.statusCode() != 409 || System.nanoTime() > end) {
                return r;
            }
            assertEquals("SLOT_LIMIT_EXCEEDED", r.path("code"), r.asString());
            Thread.sleep(300);
        }
    }

    private static String apiKey(Fleet fleet, Journeys.Account account, String... scopes) {
        return Journeys.at(fleet.gatewayUrl(), account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("name", "ports", "scopes", List.of(scopes))).post("/v1/api-keys").then().statusCode(201)
                .extract().path("secret_key");
    }

    private static void grant(Fleet fleet, Journeys.Account account, long minor) {
        var admin = Journeys.admin(fleet);
        Journeys.at(fleet.gatewayUrl(), admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", minor, "reason", "proxy journey"))
                .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(201);
    }

    @Test
    void slots_and_traffic_bought_a_port_made_with_a_key_carries_curl_over_http_and_socks5_and_is_metered(Fleet fleet) throws Exception {
        String gateway = fleet.gatewayUrl();
        var account = Journeys.newUser(fleet);
        grant(fleet, account, 100_000);
        Supplier<RequestSpecification> user = () -> Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken());

        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/pricing").then().statusCode(200)
                .body("volume_discounts.size()", greaterThan(0)).body("slot_tiers.name", hasItem("Starter"))
                .body("slot_prices_minor.shared", greaterThan(0));
        for (Map<String, Object> purchase : List.<Map<String, Object>>of(Map.of("resource", "ports", "amount", 2),
                Map.of("resource", "traffic", "amount", 10))) {
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .header("Idempotency-Key", UUID.randomUUID().toString()).body(purchase).post("/v1/billing/purchases").then()
                    .statusCode(201).body("purchase.invoice_id", notNullValue());
        }
        JsonPath invoices = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/invoices").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(2, invoices.getList("data").size(), invoices.prettify());
        String invoiceId = invoices.getString("data[0].id");
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/invoices/" + invoiceId).then()
                .statusCode(200).body("number", matchesPattern("^INV-\\d{4}-\\d{6}$")).body("status", equalTo("paid"))
                .body("items.size()", greaterThan(0));
        byte[] pdf = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/invoices/" + invoiceId + "/pdf")
                .then().statusCode(200).contentType("application/pdf").extract().asByteArray();
        assertEquals("%PDF", new String(pdf, 0, 4, StandardCharsets.US_ASCII));
        user.get().get("/v1/billing/transactions").then().statusCode(200).body("data.type", hasItem("purchase"));

        // a partner endpoint for the port's events, signed as Standard Webhooks
        HttpServer origin = origin();
        try (Partner partner = Partner.at("/hooks")) {
            List<Partner.Received> received = partner.received;
            String secret = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .body(Map.of("url", partner.url(), "events", List.of("port.created")))
                    .post("/v1/webhooks").then().statusCode(201).extract().path("secret");

            String key = apiKey(fleet, account, "proxy:read", "proxy:write");
            String readOnly = apiKey(fleet, account, "proxy:read");
            Journeys.at(gateway, account.ip()).header("X-API-Key", readOnly).contentType("application/json")
                    .body("{\"country_id\": \"US\", \"expires_in\": 43200, \"is_private\": false}").post("/v1/ports").then()
                    .statusCode(403).contentType("application/problem+json");
            Journeys.at(gateway, account.ip()).header("X-API-Key", key).contentType("application/json")
                    .body("{\"country_id\": \"US\", \"expires_in\": 30, \"is_private\": false}").post("/v1/ports").then()
                    .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("expires_in"));

            Response made = createPort(fleet, account.ip(), key, "{\"country_id\": \"US\", \"expires_in\": 43200, \"is_private\": false}");
            made.then().statusCode(201).body("http_port", notNullValue()).body("socks_port", notNullValue())
                    .body("proxy_login", notNullValue()).body("proxy_password", notNullValue()).body("status", equalTo("active"));
            String portId = made.path("id");
            String host = made.path("server_ip");
            int http = made.path("http_port");
            int socks = made.path("socks_port");
            String login = made.path("proxy_login");
            String password = made.path("proxy_password");
            String exit = made.path("public_ip");
            await("the port's listeners open", Duration.ofSeconds(15), () -> listening(host, http) && listening(host, socks));
            String target = "http://127.0.0.1:" + origin.getAddress().getPort();
            String proxy = "http://" + login + ":" + password + "@" + host + ":" + http;

            Curl plain = curl("-x", proxy, target + "/ip");
            assertEquals("200", plain.status(), plain.toString());
            assertEquals(exit, plain.body(), "the origin sees the device's address");
            Curl tunnel = curl("-p", "-x", proxy, target + "/bytes/40000");
            assertEquals("200", tunnel.status(), tunnel.toString());
            assertEquals(40_000, tunnel.body().length());
            Curl overSocks = curl("--socks5-hostname", login + ":" + password + "@" + host + ":" + socks,
                    "http://localhost:" + origin.getAddress().getPort() + "/bytes/60000");
            assertEquals("200", overSocks.status(), overSocks.toString());
            assertEquals(60_000, overSocks.body().length());

            assertEquals("407", curl("-x", "http://" + login + ":not-the-password@" + host + ":" + http, target + "/ip").status());
            Curl refused = curl("--socks5-hostname", login + ":not-the-password@" + host + ":" + socks, target + "/ip");
            assertNotEquals(0, refused.exit(), "SOCKS5 refuses the wrong password: " + refused);

            // the bytes carried reach the port's used_traffic within a metering window or two
            await("used_traffic counts the 100 kB carried", Duration.ofSeconds(30), () -> user.get().get("/v1/ports/" + portId).then()
                    .statusCode(200).extract().jsonPath().getLong("used_traffic") >= 100_000);
            Journeys.at(gateway, account.ip()).header("X-API-Key", key).get("/v1/ports?page_size=10").then().statusCode(200)
                    .body("data.id", hasItem(portId));

            await("the port.created webhook", Duration.ofSeconds(30), () -> received.stream().anyMatch(r -> r.body().contains(portId)));
            Partner.Received delivery = received.stream().filter(r -> r.body().contains(portId)).findFirst().orElseThrow();
            new Webhook(secret).verify(delivery.body(), delivery.headers());
            assertEquals("port.created", delivery.type());

            // a stranger cannot see or end it; its owner deletes it and the slot is free again
            var stranger = Journeys.newUser(fleet);
            Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).get("/v1/ports/" + portId).then().statusCode(404)
                    .contentType("application/problem+json");
            Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).delete("/v1/ports/" + portId).then().statusCode(404);
            Journeys.at(gateway, account.ip()).header("X-API-Key", key).delete("/v1/ports/" + portId).then().statusCode(200);
            await("the deleted port's listener closes", Duration.ofSeconds(15), () -> !listening(host, http));
        } finally {
            origin.stop(0);
        }
    }

    @Test
    void fifty_one_items_are_refused_and_five_on_three_free_devices_make_three_and_replay_the_same_body(Fleet fleet) throws Exception {
        String gateway = fleet.gatewayUrl();
        var account = Journeys.newUser(fleet);
        var admin = Journeys.admin(fleet);
        // private devices take one port each, so the free private devices of a country are what bulk can place
        for (Map<String, Object> gift : List.<Map<String, Object>>of(Map.of("resource", "traffic", "amount", 100, "charge_user", false),
                Map.of("resource", "ports", "amount", 7, "is_private", true, "charge_user", false))) {
            Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json").body(gift)
                    .post("/v1/admin/billing/users/" + account.userId() + "/purchases").then().statusCode(201);
        }
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/entitlements").then().statusCode(200)
                .body("slots_private", equalTo(7));

        String fifty = "{\"ports\": [" + String.join(", ", Collections.nCopies(51, "{\"country_id\": \"FR\", \"expires_in\": 3600}")) + "]}";
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json").body(fifty)
                .post("/v1/ports/bulk").then().statusCode(400).contentType("application/problem+json").body("code", equalTo("VALIDATION_ERROR"));
        assertEquals(0, Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/ports").jsonPath().getInt("meta.total"));

        // the country whose free private devices are fewest but some: asking for two more than that leaves two unplaced
        JsonPath countries = Journeys.at(gateway, account.ip()).get("/v1/proxy/countries?is_private=true").then().statusCode(200)
                .extract().jsonPath();
        String country = null;
        int free = Integer.MAX_VALUE;
        for (int i = 0; i < countries.getList("data").size(); i++) {
            int f = countries.getInt("data[" + i + "].free_device_count");
            if (f > 0 && f < free) {
                free = f;
                country = countries.getString("data[" + i + "].code");
            }
        }
        assertTrue(country != null && free <= 5, countries.prettify());
        int asked = free + 2;
        String body = "{\"ports\": [" + String.join(", ", Collections.nCopies(asked,
                "{\"country_id\": \"" + country + "\", \"expires_in\": 3600, \"is_private\": true}")) + "]}";
        String idempotencyKey = UUID.randomUUID().toString();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Response bulk;
        do {
            // the private slots travel to proxy-svc on Kafka; until they land every item is SLOT_LIMIT_EXCEEDED and nothing is kept
            bulk = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .header("Idempotency-Key", idempotencyKey).body(body).post("/v1/ports/bulk");
            if (bulk.statusCode() == 201 && bulk.jsonPath().getInt("success") > 0) {
                break;
            }
            idempotencyKey = UUID.randomUUID().toString();
            Thread.sleep(500);
        } while (System.nanoTime() < end);
        bulk.then().statusCode(201).body("total", equalTo(asked)).body("success", equalTo(free)).body("failed", equalTo(2))
                .body("created.size()", equalTo(free)).body("errors.size()", equalTo(2)).body("errors[0].index", notNullValue())
                .body("errors[0].error", notNullValue());
        assertEquals(free, Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/ports?is_private=true")
                .jsonPath().getInt("meta.total"), "only the placed ports hold slots");
        String replayed = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .header("Idempotency-Key", idempotencyKey).body(body).post("/v1/ports/bulk").then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().asString();
        assertEquals(bulk.asString(), replayed);
        assertEquals(free, Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/ports")
                .jsonPath().getInt("meta.total"));
        // the devices go back to the pool for the next journeys
        for (String id : bulk.jsonPath().<String>getList("created.id")) {
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).delete("/v1/ports/" + id).then().statusCode(200);
        }
    }

    @Test
    void a_smart_bulk_creation_runs_as_a_process_that_spreads_its_ports_at_most_three_to_a_device(Fleet fleet) throws Exception {
        String gateway = fleet.gatewayUrl();
        var account = Journeys.newUser(fleet);
        var admin = Journeys.admin(fleet);
        for (Map<String, Object> gift : List.<Map<String, Object>>of(Map.of("resource", "traffic", "amount", 100, "charge_user", false),
                Map.of("resource", "ports", "amount", 4, "charge_user", false))) {
            Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json").body(gift)
                    .post("/v1/admin/billing/users/" + account.userId() + "/purchases").then().statusCode(201);
        }
        // the slots travel to proxy-svc on Kafka; max-available counts them once they are there
        JsonPath[] available = new JsonPath[1];
        await("the four slots reach proxy-svc", Duration.ofSeconds(30), () -> {
            available[0] = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                    .get("/v1/ports/bulk-smart/max-available?country=DE&is_private=false").then().statusCode(200).extract().jsonPath();
            return available[0].getInt("free_slots") == 4;
        });
        assertEquals(3, available[0].getInt("per_device"));
        int count = available[0].getInt("max_available");
        assertTrue(count > 0, available[0].prettify());

        Response started = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("country_id", "DE", "expires_in", 3600, "count", count)).post("/v1/ports/bulk-smart");
        started.then().statusCode(202).body("type", equalTo("port_creation")).body("total", equalTo(count));
        String process = started.path("id");
        assertEquals("/v1/proxy/processes/" + process, started.header("Location"));
        JsonPath[] done = new JsonPath[1];
        await("the process ends", Duration.ofSeconds(30), () -> {
            done[0] = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/proxy/processes/" + process)
                    .then().statusCode(200).extract().jsonPath();
            return !"running".equals(done[0].getString("status"));
        });
        assertEquals("completed", done[0].getString("status"), done[0].prettify());
        assertEquals(count, done[0].getInt("completed"));
        assertEquals(100, done[0].getInt("progress"));
        Map<String, Integer> perDevice = new java.util.HashMap<>();
        for (String device : done[0].<String>getList("ports.device_id")) {
            perDevice.merge(device, 1, Integer::sum);
        }
        assertTrue(perDevice.values().stream().allMatch(n -> n <= 3), perDevice.toString());
        assertEquals(count, Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/ports")
                .jsonPath().getInt("meta.total"));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/proxy/processes").then().statusCode(200)
                .body("meta.total", equalTo(1)).body("data[0].id", equalTo(process));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).post("/v1/proxy/processes/" + process + "/cancel")
                .then().statusCode(409).contentType("application/problem+json").body("code", equalTo("ALREADY_COMPLETED"));
        var stranger = Journeys.newUser(fleet);
        Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).get("/v1/proxy/processes/" + process).then()
                .statusCode(404);
        for (String id : done[0].<String>getList("ports.id")) {
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).delete("/v1/ports/" + id).then().statusCode(200);
        }
    }

    @Test
    void a_rotation_changes_the_exit_then_the_cooldown_holds_by_api_and_by_link_and_a_new_link_replaces_the_old(Fleet fleet)
            throws Exception {
        String gateway = fleet.gatewayUrl();
        var account = Journeys.newUser(fleet);
        grant(fleet, account, 10_000);
        for (Map<String, Object> purchase : List.<Map<String, Object>>of(Map.of("resource", "ports", "amount", 1),
                Map.of("resource", "traffic", "amount", 1))) {
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .header("Idempotency-Key", UUID.randomUUID().toString()).body(purchase).post("/v1/billing/purchases").then()
                    .statusCode(201);
        }
        String key = apiKey(fleet, account, "proxy:read", "proxy:write");
        Response made = createPort(fleet, account.ip(), key, "{\"country_id\": \"DE\", \"expires_in\": 3600}");
        made.then().statusCode(201);
        String id = made.path("id");
        String token = made.path("rotation_token");
        Supplier<RequestSpecification> user = () -> Journeys.at(gateway, account.ip()).header("X-API-Key", key);

        HttpServer origin = origin();
        try {
            String host = made.path("server_ip");
            int http = made.path("http_port");
            String proxy = "http://" + made.path("proxy_login") + ":" + made.path("proxy_password") + "@" + host + ":" + http;
            String target = "http://127.0.0.1:" + origin.getAddress().getPort() + "/ip";
            // the listener opens, and the traffic bought reaches the data plane as billing's entitlement event
            await("traffic leaves from the device's address", Duration.ofSeconds(30), () -> {
                try {
                    return listening(host, http) && made.<String>path("public_ip").equals(curl("-x", proxy, target).body());
                } catch (Exception e) {
                    return false;
                }
            });

            Response rotated = Journeys.at(gateway, account.ip()).header("X-API-Key", key).post("/v1/ports/" + id + "/rotate");
            rotated.then().statusCode(200).body("success", equalTo(true)).body("old_ip", equalTo(made.path("public_ip")))
                    .body("new_ip", not(equalTo(made.path("public_ip")))).body("rotation_count", equalTo(1));
            String newIp = rotated.path("new_ip");
            // the same credentials now leave from the new device's address
            await("traffic leaves from the new address", Duration.ofSeconds(15), () -> {
                try {
                    return newIp.equals(curl("-x", proxy, target).body());
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            origin.stop(0);
        }

        Journeys.at(gateway, account.ip()).header("X-API-Key", key).post("/v1/ports/" + id + "/rotate").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", matchesPattern("^[0-9]+$"));
        user.get().get("/v1/ports/" + id + "/rotation-history").then().statusCode(200).body("data[0].trigger_type", equalTo("manual"));
        // the public link needs no credentials and keeps the same five minutes
        Journeys.at(gateway, account.ip()).get("/v1/rotate/" + token).then().statusCode(429).body("cooldown_seconds", equalTo(300))
                .header("Retry-After", notNullValue());
        String fresh = Journeys.at(gateway, account.ip()).header("X-API-Key", key).post("/v1/ports/" + id + "/regenerate-rotation-token")
                .then().statusCode(200).body("rotation_url", matchesPattern("^http.*/v1/rotate/[0-9a-f]{32}$")).extract().path("rotation_token");
        Journeys.at(gateway, account.ip()).get("/v1/rotate/" + token).then().statusCode(404).contentType("application/problem+json");
        Journeys.at(gateway, account.ip()).get("/v1/rotate/" + fresh).then().statusCode(429).body("cooldown_seconds", equalTo(300));
        // automatic rotation on a shared port is at least every 300 s
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).contentType("application/json")
                .body("{\"enabled\": true, \"interval_seconds\": 120}").patch("/v1/ports/" + id + "/rotation-settings").then()
                .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("interval_seconds"));
        user.get().get("/v1/ports/" + id + "/rotation-settings").then().statusCode(200).body("enabled", equalTo(false));
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).delete("/v1/ports/" + id).then().statusCode(200);
    }

    @Test
    void the_pool_entry_keeps_a_sticky_exit_and_lists_the_session_with_its_traffic_until_it_is_closed(Fleet fleet) throws Exception {
        String gateway = fleet.gatewayUrl();
        var account = Journeys.newUser(fleet);
        grant(fleet, account, 100_000);
        Supplier<RequestSpecification> user = () -> Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken());
        user.get().contentType("application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("resource", "traffic", "amount", 10)).post("/v1/billing/purchases").then().statusCode(201);
        JsonPath credentials = user.get().get("/v1/proxy/pool/credentials").then().statusCode(200).extract().jsonPath();
        String sticky = "http://" + credentials.getString("username") + "-session-e2e1-sesstime-20:" + credentials.getString("password")
                + "@127.0.0.1:7000";
        HttpServer origin = origin();
        try {
            String target = "http://127.0.0.1:" + origin.getAddress().getPort();
            // the pool entry knows the login at its next refresh, and the traffic once billing's entitlement has come over Kafka
            Curl[] first = new Curl[1];
            await("the pool entry carries the user's traffic", Duration.ofSeconds(30), () -> {
                try {
                    first[0] = curl("-x", sticky, target + "/ip");
                    return "200".equals(first[0].status());
                } catch (Exception e) {
                    return false;
                }
            });
            String exit = first[0].body();
            for (int i = 0; i < 3; i++) {
                assertEquals(exit, curl("-x", sticky, target + "/ip").body(), "the session keeps its exit");
            }
            Curl download = curl("-x", sticky, target + "/bytes/50000");
            assertEquals("200", download.status(), download.toString());
            assertEquals(50_000, download.body().length());

            JsonPath[] listed = new JsonPath[1];
            await("the session is listed with the bytes it carried", Duration.ofSeconds(15), () -> {
                listed[0] = user.get().get("/v1/proxy/pool/sessions").then().statusCode(200).extract().jsonPath();
                return listed[0].getInt("meta.total") == 1 && listed[0].getLong("data[0].traffic_in_bytes") >= 50_000;
            });
            assertEquals("e2e1", listed[0].getString("data[0].name"), listed[0].prettify());
            String sessionId = listed[0].getString("data[0].id");
            var stranger = Journeys.newUser(fleet);
            Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).delete("/v1/proxy/pool/sessions/" + sessionId).then()
                    .statusCode(404).contentType("application/problem+json");
            user.get().delete("/v1/proxy/pool/sessions/" + sessionId).then().statusCode(200).body("closed", equalTo(1));
            user.get().get("/v1/proxy/pool/sessions").then().statusCode(200).body("meta.total", equalTo(0));

            // the pool's traffic is metered by direction and counted in the caller's total
            await("the pool's traffic is metered", Duration.ofSeconds(30), () -> user.get().get("/v1/proxy/pool/stats").then()
                    .statusCode(200).extract().jsonPath().getLong("pool.traffic_in_bytes") >= 50_000);
            user.get().get("/v1/proxy/pool/stats").then().statusCode(200).body("pool.active_sessions", equalTo(0))
                    .body("used_traffic_bytes", greaterThan(50_000));
        } finally {
            origin.stop(0);
        }
    }
}
