package io.tollgate.e2e;

import com.standardwebhooks.Webhook;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journey 11, traffic exhaustion: a customer with 1 GB of shared traffic and a port pushes real
 * bytes through the port's HTTP proxy to a local origin. At 50, 80 and 100 % billing's marks reach
 * the partner as {@code traffic.threshold_50/80/100} and the bell; mail only once bandwidth mail is
 * on. At 100 % new connections are refused and the port is suspended; buying more resumes it.
 */
@ExtendWith(FleetExtension.class)
class TrafficThresholdJourneyTest {

    private static final long MB = 1_000_000L;
    private static final long GB = 1_000_000_000L;
    private static final String MAIL_SUBJECT = "How much of your proxy traffic is used";

    /** What one request through the proxy got: its status line and the body bytes read before the connection ended. */
    record Fetched(String status, long bytes) {
    }

    @Test
    void marks_at_50_80_and_100_percent_reach_the_partner_and_the_bell_and_a_purchase_resumes_the_port(Fleet fleet) throws Exception {
        try (Partner partner = Partner.at("/traffic"); ServerSocket origin = origin()) {
            List<Partner.Received> received = partner.received;
            var admin = Journeys.admin(fleet);
            var account = Journeys.newUser(fleet);
            String gateway = fleet.gatewayUrl();
            String token = account.accessToken();
            Journeys.at(gateway, account.ip()).auth().oauth2(token).get("/v1/billing/balance").then().statusCode(200);
            Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                    .body(Map.of("amount_minor", 5_000, "reason", "journey credit"))
                    .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(201);

            Response hook = Journeys.at(gateway, account.ip()).auth().oauth2(token).contentType("application/json")
                    .body(Map.of("url", partner.url(), "events",
                            List.of("traffic.threshold_50", "traffic.threshold_80", "traffic.threshold_100", "port.suspended",
                                    "port.unsuspended")))
                    .post("/v1/webhooks");
            hook.then().statusCode(201);
            String secret = hook.path("secret");

            // the smallest traffic the price list sells (1 GB) and one shared slot
            buy(gateway, account, "traffic", 1);
            buy(gateway, account, "ports", 1);
            until("proxy to know the slot", Duration.ofSeconds(60), () -> Journeys.at(gateway, account.ip()).auth().oauth2(token)
                    .get("/v1/proxy/pool/stats").jsonPath().getInt("shared.slots") == 1);
            JsonPath port = createPort(gateway, account);
            String portId = port.getString("id");
            String host = port.getString("server_ip");
            int proxyPort = port.getInt("http_port");
            String auth = "Basic " + Base64.getEncoder().encodeToString((port.getString("proxy_login") + ":"
                    + port.getString("proxy_password")).getBytes(StandardCharsets.UTF_8));
            until("the port's proxy to listen", Duration.ofSeconds(30), () -> listening(host, proxyPort));

            // just over half of the allowance
            Fetched first = fetch(host, proxyPort, auth, origin.getLocalPort(), 510 * MB);
            assertTrue(first.status().startsWith("HTTP/1.1 200"), first.status());
            assertEquals(510 * MB, first.bytes());
            Partner.Received fifty = awaitDelivery(received, "traffic.threshold_50");
            assertNoDelivery(received, "traffic.threshold_80");
            awaitNotice(gateway, account, "Shared proxy traffic 50 % used");

            // bandwidth mail is off by default: switched on now, the next marks are mailed
            Journeys.at(gateway, account.ip()).auth().oauth2(token).get("/v1/email-preferences").then().statusCode(200)
                    .body("subscriptions.bandwidth", equalTo(false));
            Journeys.at(gateway, account.ip()).auth().oauth2(token).contentType("application/json").body(Map.of("bandwidth", true))
                    .patch("/v1/email-preferences").then().statusCode(200).body("subscriptions.bandwidth", equalTo(true));

            Fetched second = fetch(host, proxyPort, auth, origin.getLocalPort(), 300 * MB);
            assertEquals(300 * MB, second.bytes(), second.status());
            Partner.Received eighty = awaitDelivery(received, "traffic.threshold_80");
            awaitNotice(gateway, account, "Shared proxy traffic 80 % used");
            MailSandbox.Message mail = awaitMail(fleet, account.email(), 1).getFirst();
            assertTrue(mail.data().contains("X-Tollgate-Template: traffic-threshold"), mail.data());
            assertTrue(mailed(fleet, account.email(), 80), MailText.decoded(mail.data()));

            // the rest: the download stops at the allowance, and then new connections are refused
            Fetched rest = fetch(host, proxyPort, auth, origin.getLocalPort(), 300 * MB);
            assertTrue(rest.bytes() < 200 * MB, "the proxy stopped the download at the allowance: " + rest);
            until("new connections to be refused", Duration.ofSeconds(60), () -> {
                Fetched next = fetch(host, proxyPort, auth, origin.getLocalPort(), MB);
                return next.status().startsWith("HTTP/1.1 402");
            });
            Partner.Received hundred = awaitDelivery(received, "traffic.threshold_100");
            Partner.Received suspended = awaitDelivery(received, "port.suspended");
            awaitNotice(gateway, account, "Shared proxy traffic 100 % used");
            awaitMail(fleet, account.email(), 2);
            for (Partner.Received r : List.of(fifty, eighty, hundred, suspended)) {
                new Webhook(secret).verify(r.body(), r.headers()); // throws if the signature is wrong
            }
            JsonPath full = JsonPath.from(hundred.body());
            assertEquals(account.userId(), full.getString("data.user_id"));
            assertEquals("traffic_shared", full.getString("data.resource"));
            assertEquals(100, full.getInt("data.percent"));
            assertEquals(GB, full.getLong("data.allowance_bytes"));
            assertEquals(GB, full.getLong("data.used_bytes"), "the data plane carried exactly the allowance");
            assertEquals(50, JsonPath.from(fifty.body()).getInt("data.percent"));
            assertEquals(portId, JsonPath.from(suspended.body()).getString("data.port_id"));
            assertEquals(1, count(received, "traffic.threshold_50"), "each mark once");
            assertEquals(1, count(received, "traffic.threshold_80"), "each mark once");
            // the marks are mailed in order: with the 100 % mail in, a 50 % one would have come before it
            assertEquals(List.of(false, true, true), List.of(mailed(fleet, account.email(), 50), mailed(fleet, account.email(), 80),
                    mailed(fleet, account.email(), 100)), "no mail at 50 %, while bandwidth mail was off");
            Journeys.at(gateway, account.ip()).auth().oauth2(token).get("/v1/ports/" + portId).then().statusCode(200)
                    .body("status", equalTo("suspended"));
            Journeys.at(gateway, account.ip()).auth().oauth2(token).get("/v1/billing/entitlements").then().statusCode(200)
                    .body("traffic_shared_bytes", equalTo(0));

            // buying more resumes the port and traffic flows again
            buy(gateway, account, "traffic", 1);
            awaitDelivery(received, "port.unsuspended");
            until("traffic to flow again", Duration.ofSeconds(60), () -> {
                Fetched again = fetch(host, proxyPort, auth, origin.getLocalPort(), MB);
                return again.status().startsWith("HTTP/1.1 200") && again.bytes() == MB;
            });
            Journeys.at(gateway, account.ip()).auth().oauth2(token).get("/v1/ports/" + portId).then().statusCode(200)
                    .body("status", equalTo("active"));
            // 1 of 2 GB used: the 50 % mark stays reached, so nothing is announced for it again
            assertEquals(1, count(received, "traffic.threshold_50"));

            // another customer sees neither the port nor the notices
            var stranger = Journeys.newUser(fleet);
            Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).get("/v1/ports/" + portId).then().statusCode(404);
            Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).get("/v1/notifications").then().statusCode(200)
                    .body("data.findAll { it.category == 'usage' }.size()", equalTo(0));
        }
    }

    static void buy(String gateway, Journeys.Account account, String resource, int amount) {
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("resource", resource, "amount", amount)).post("/v1/billing/purchases").then().statusCode(201);
    }

    /** A shared US port; proxy may still be placing the simulated devices, so a refusal is asked again until a deadline. */
    static JsonPath createPort(String gateway, Journeys.Account account) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Response created = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .body(Map.of("country_id", "US", "expires_in", 3600)).post("/v1/ports");
            if (created.statusCode() == 201) {
                return created.jsonPath();
            }
            assertTrue(System.nanoTime() < end, "no port was created: " + created.statusCode() + " " + created.asString());
            Thread.sleep(created.statusCode() == 429 ? 2_000 : 500);
        }
    }

    /**
     * A local origin on loopback: {@code GET /bytes/<n>} answers n bytes with their length, on
     * virtual threads, until closed.
     */
    static ServerSocket origin() throws IOException {
        ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        return server;
    }

    private static void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            String request = head(in);
            String path = request.split(" ")[1];
            long n = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + n
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            for (long left = n; left > 0; ) {
                int len = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, len);
                left -= len;
            }
        } catch (IOException | RuntimeException e) {
            // the proxy ended the connection (at the allowance); the client side tells the test
        }
    }

    /** One absolute-form GET through the port's HTTP proxy; reads the body until the connection ends. */
    static Fetched fetch(String host, int proxyPort, String auth, int originPort, long bytes) {
        try (Socket s = new Socket(host, proxyPort)) {
            s.setSoTimeout(30_000);
            String target = "127.0.0.1:" + originPort;
            s.getOutputStream().write(("GET http://" + target + "/bytes/" + bytes + " HTTP/1.1\r\nHost: " + target
                    + "\r\nProxy-Authorization: " + auth + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String status = head(in);
            long got = 0;
            byte[] buf = new byte[256 * 1024];
            try {
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    got += n;
                }
            } catch (IOException e) {
                // the proxy ended the connection
            }
            return new Fetched(status, got);
        } catch (IOException e) {
            return new Fetched("no answer: " + e.getMessage(), 0);
        }
    }

    /** Reads an HTTP head through its blank line and answers its first line. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text.substring(0, text.indexOf("\r\n"));
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long count(List<Partner.Received> received, String type) {
        return received.stream().filter(r -> r.type().equals(type)).count();
    }

    private static Partner.Received awaitDelivery(List<Partner.Received> received, String type) throws InterruptedException {
        until("the partner's " + type, Duration.ofSeconds(90), () -> count(received, type) > 0);
        return received.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow();
    }

    /** The 80 % mark cannot have been announced yet: what was used is below it; checked once, after the 50 % one arrived. */
    private static void assertNoDelivery(List<Partner.Received> received, String type) {
        assertEquals(0, count(received, type), type + " arrived too early");
    }

    private static void awaitNotice(String gateway, Journeys.Account account, String title) throws InterruptedException {
        until("the notice '" + title + "'", Duration.ofSeconds(60), () -> Journeys.at(gateway, account.ip()).auth()
                .oauth2(account.accessToken()).get("/v1/notifications").jsonPath().getList("data.title").contains(title));
    }

    private static List<MailSandbox.Message> mails(Fleet fleet, String to) {
        return fleet.mail().messagesTo(to).stream().filter(m -> m.subject().equals(MAIL_SUBJECT)).toList();
    }

    private static boolean mailed(Fleet fleet, String to, int percent) {
        return mails(fleet, to).stream().anyMatch(m -> MailText.decoded(MailText.unfold(m.data())).contains("you have used " + percent + " %"));
    }

    private static List<MailSandbox.Message> awaitMail(Fleet fleet, String to, int count) throws InterruptedException {
        until(count + " bandwidth mail(s)", Duration.ofSeconds(60), () -> mails(fleet, to).size() >= count);
        return mails(fleet, to);
    }

    static void until(String what, Duration max, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what + " did not happen within " + max);
            Thread.sleep(250);
        }
    }
}
