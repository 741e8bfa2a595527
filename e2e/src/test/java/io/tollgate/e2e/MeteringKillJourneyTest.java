package io.tollgate.e2e;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data plane killed in the middle of a metering window. A port carries a first download and
 * its window is committed; a second download is carried and the proxy process is SIGKILLed at
 * once, before its window is written; it is started again and the port carries a third. Then:
 * what was committed before the kill is all still counted, what the kill lost is at most what the
 * open window held (the second download), nothing is counted twice (the port's
 * {@code used_traffic} is never more than was carried), every byte counted went out in a
 * {@code proxy.traffic.metered} event, and billing charged exactly those events once each.
 */
@ExtendWith(FleetExtension.class)
class MeteringKillJourneyTest {

    private static final long MB = 1_000_000L;
    /** What one download adds to a port beyond its body: the request and response heads. */
    private static final long HEADS = 4_096;

    private static long used(UUID port) {
        return Databases.count("proxy", "select used_traffic_bytes from ports where id = ?", port);
    }

    @Test
    void a_data_plane_killed_mid_window_loses_at_most_that_window_and_counts_nothing_twice(Fleet fleet) throws Exception {
        try (ServerSocket origin = TrafficThresholdJourneyTest.origin()) {
            var admin = Journeys.admin(fleet);
            var account = Journeys.newUser(fleet);
            String gateway = fleet.gatewayUrl();
            TrafficThresholdJourneyTest.until("the wallet to open", Duration.ofSeconds(60), () -> Journeys.at(gateway, account.ip())
                    .auth().oauth2(account.accessToken()).get("/v1/billing/balance").statusCode() == 200);
            Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                    .body(Map.of("amount_minor", 5_000, "reason", "metering kill journey"))
                    .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(201);
            TrafficThresholdJourneyTest.buy(gateway, account, "traffic", 1);
            TrafficThresholdJourneyTest.buy(gateway, account, "ports", 1);
            TrafficThresholdJourneyTest.until("proxy to know the slot", Duration.ofSeconds(60), () -> Journeys.at(gateway, account.ip())
                    .auth().oauth2(account.accessToken()).get("/v1/proxy/pool/stats").jsonPath().getInt("shared.slots") == 1);
            JsonPath port = TrafficThresholdJourneyTest.createPort(gateway, account);
            UUID portId = UUID.fromString(port.getString("id"));
            String host = port.getString("server_ip");
            int proxyPort = port.getInt("http_port");
            String auth = "Basic " + Base64.getEncoder().encodeToString((port.getString("proxy_login") + ":"
                    + port.getString("proxy_password")).getBytes(StandardCharsets.UTF_8));
            TrafficThresholdJourneyTest.until("the port's proxy to listen", Duration.ofSeconds(30),
                    () -> TrafficThresholdJourneyTest.listening(host, proxyPort));
            int sink = origin.getLocalPort();

            // a first download, and its window written
            assertEquals(20 * MB, TrafficThresholdJourneyTest.fetch(host, proxyPort, auth, sink, 20 * MB).bytes());
            TrafficThresholdJourneyTest.until("the first download to be metered", Duration.ofSeconds(30), () -> used(portId) >= 20 * MB);
            long committed = used(portId);

            // a second one, and the node killed before its window is written (SIGKILL: no clean stop writes it)
            assertEquals(30 * MB, TrafficThresholdJourneyTest.fetch(host, proxyPort, auth, sink, 30 * MB).bytes());
            fleet.kill("proxy");
            long atKill = used(portId);
            fleet.restart("proxy");
            long afterRestart = used(portId);
            assertTrue(afterRestart >= committed, "a committed window stays counted: " + committed + " then " + afterRestart);
            assertTrue(afterRestart <= committed + 30 * MB + HEADS, "the kill counted nothing twice: " + afterRestart);
            long lost = committed + 30 * MB - afterRestart;

            // the port carries again on the restarted node, and that is counted
            // (until its device is back: an attempt before then is refused or cut short, and counts what it carried)
            long carriedAfter = 0;
            int attempts = 0;
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (true) {
                long got = TrafficThresholdJourneyTest.fetch(host, proxyPort, auth, sink, 10 * MB).bytes();
                carriedAfter += got;
                attempts++;
                if (got == 10 * MB) {
                    break;
                }
                assertTrue(System.nanoTime() < end, "the port did not carry again within 90 s of the restart");
                Thread.sleep(500);
            }
            TrafficThresholdJourneyTest.until("the third download to be metered", Duration.ofSeconds(30),
                    () -> used(portId) >= afterRestart + 10 * MB);
            long total = used(portId);
            assertTrue(total <= afterRestart + carriedAfter + attempts * HEADS, "never more than was carried: " + total);

            // every byte counted was published once, and billing charged what was published, once
            long published = Databases.count("proxy", "select coalesce(sum((payload->>'bytes_in')::bigint + (payload->>'bytes_out')::bigint), 0)"
                    + " from outbox where type = 'tollgate.proxy.traffic.metered.v1' and payload->>'port_id' = ?", portId.toString());
            assertEquals(total, published, "the port's used_traffic is the sum of its metered events");
            UUID user = UUID.fromString(account.userId());
            TrafficThresholdJourneyTest.until("billing to charge the windows", Duration.ofSeconds(60),
                    () -> Databases.count("billing", "select coalesce(sum(bytes), 0) from traffic_usage_daily where user_id = ?", user) >= total);
            assertEquals(total, Databases.count("billing", "select coalesce(sum(bytes), 0) from traffic_usage_daily where user_id = ?", user),
                    "billing charged each metered window once");
            System.out.printf("metering kill: %d bytes committed before the kill, 30,000,000 carried in the open window, %d counted"
                            + " when killed, %d after the restart (%d of the open window's download body not counted:"
                            + " at most that window), %d in all, published and charged%n",
                    committed, atKill, afterRestart, lost, total);
        }
    }
}
