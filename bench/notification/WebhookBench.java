import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Outgoing webhook throughput and latency against a running notification-svc. A receiver on
 * loopback checks every signature (its own HMAC-SHA256, independent of the service's library) and
 * notes when each message first arrived. Messages are queued the way the fan-out queues them
 * (a message row and a delivery row per endpoint, committed together), and the time of that
 * commit is the start of the latency.
 *
 * <p>Phase 1, throughput: a backlog of N deliveries committed at once, timed until the last
 * arrives. Phase 2, latency: a steady rate, p50/p99 from commit to first attempt.
 * usage: java -cp postgresql.jar WebhookBench.java <jdbc url> <user> <password> <backlog> <rate/s> <seconds>
 */
public class WebhookBench {

    static final Map<String, Long> FIRST_SEEN = new ConcurrentHashMap<>();
    static final AtomicLong RECEIVED = new AtomicLong();
    static final AtomicLong BAD_SIGNATURES = new AtomicLong();
    static final AtomicLong DUPLICATES = new AtomicLong();

    public static void main(String[] args) throws Exception {
        String jdbc = args[0];
        int backlog = Integer.parseInt(args[3]);
        int rate = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);

        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hook", exchange -> {
            long now = System.nanoTime();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            if (!valid(key, id, ts, body, sig)) {
                BAD_SIGNATURES.incrementAndGet();
            }
            RECEIVED.incrementAndGet();
            if (FIRST_SEEN.putIfAbsent(id, now) != null) {
                DUPLICATES.incrementAndGet();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

        try (Connection db = DriverManager.getConnection(jdbc, args[1], args[2])) {
            UUID tenant = UUID.randomUUID();
            UUID user = UUID.randomUUID();
            UUID endpoint = UUID.randomUUID();
            try (PreparedStatement ps = db.prepareStatement("insert into webhook_endpoints (id, tenant_id, user_id, url, description, events,"
                    + " secret) values (?, ?, ?, ?, 'bench', '{balance.low}', ?)")) {
                ps.setObject(1, endpoint);
                ps.setObject(2, tenant);
                ps.setObject(3, user);
                ps.setString(4, url);
                ps.setString(5, secret);
                ps.executeUpdate();
            }
            db.setAutoCommit(false);
            try {
                // warm-up: the service's connections and JIT
                Map<String, Long> warm = queue(db, tenant, user, endpoint, 500);
                waitFor(warm.keySet(), 60);
                FIRST_SEEN.clear();
                RECEIVED.set(0);

                // phase 1: a backlog
                long started = System.nanoTime();
                Map<String, Long> burst = queue(db, tenant, user, endpoint, backlog);
                long committed = System.nanoTime();
                waitFor(burst.keySet(), 120);
                long last = burst.keySet().stream().mapToLong(FIRST_SEEN::get).max().orElseThrow();
                double drainRate = backlog / ((last - committed) / 1e9);
                System.out.printf("backlog %d committed in %.0f ms, delivered in %.0f ms: %.0f deliveries/s%n", backlog,
                        (committed - started) / 1e6, (last - committed) / 1e6, drainRate);
                FIRST_SEEN.clear();

                // phase 2: a steady rate in batches every 10 ms
                Map<String, Long> steady = new ConcurrentHashMap<>();
                int perTick = Math.max(1, rate / 100);
                long begin = System.nanoTime();
                for (long tick = 0; tick < seconds * 100L; tick++) {
                    long due = begin + tick * 10_000_000L;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    steady.putAll(queue(db, tenant, user, endpoint, perTick));
                }
                waitFor(steady.keySet(), 120);
                long[] latencies = steady.entrySet().stream().mapToLong(e -> FIRST_SEEN.get(e.getKey()) - e.getValue()).sorted().toArray();
                System.out.printf("steady %d/s for %d s (%d deliveries): commit to first attempt p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        perTick * 100, seconds, latencies.length, pct(latencies, 0.50), pct(latencies, 0.99),
                        latencies[latencies.length - 1] / 1e6);
                System.out.printf("RESULT drain_per_s %.0f steady_rate %d p50_ms %.1f p99_ms %.1f received %d bad_signatures %d duplicates %d%n",
                        drainRate, perTick * 100, pct(latencies, 0.50), pct(latencies, 0.99), RECEIVED.get(), BAD_SIGNATURES.get(),
                        DUPLICATES.get());
            } finally {
                db.setAutoCommit(true);
                try (var st = db.createStatement()) {
                    st.executeUpdate("delete from webhook_endpoints where id = '" + endpoint + "'");
                    st.executeUpdate("delete from webhook_messages m where tenant_id = '" + tenant + "'");
                }
                receiver.stop(0);
            }
        }
    }

    /** Queues {@code n} messages with one delivery each in one transaction; returns webhook-id -> commit time. */
    static Map<String, Long> queue(Connection db, UUID tenant, UUID user, UUID endpoint, int n) throws Exception {
        List<UUID> ids = new ArrayList<>(n);
        try (PreparedStatement m = db.prepareStatement("insert into webhook_messages (id, tenant_id, user_id, event_type, payload)"
                + " values (?, ?, ?, 'balance.low', ?)");
             PreparedStatement d = db.prepareStatement("insert into webhook_deliveries (id, endpoint_id, message_id, event_type,"
                     + " next_attempt_at) select gen_random_uuid(), ?, unnest(?::uuid[]), 'balance.low', now()")) {
            for (int i = 0; i < n; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                m.setObject(1, id);
                m.setObject(2, tenant);
                m.setObject(3, user);
                m.setString(4, "{\"type\":\"balance.low\",\"timestamp\":\"2026-11-22T00:00:00Z\",\"data\":{\"user_id\":\"" + user
                        + "\",\"available_minor\":" + i + ",\"threshold_minor\":500,\"currency\":\"USD\"}}");
                m.addBatch();
            }
            m.executeBatch();
            d.setObject(1, endpoint);
            d.setArray(2, db.createArrayOf("uuid", ids.toArray()));
            d.executeUpdate();
        }
        db.commit();
        long committed = System.nanoTime();
        Map<String, Long> out = new ConcurrentHashMap<>();
        for (UUID id : ids) {
            out.put("msg_" + id.toString().replace("-", ""), committed);
        }
        return out;
    }

    static void waitFor(java.util.Set<String> ids, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!FIRST_SEEN.keySet().containsAll(ids)) {
            if (System.nanoTime() > deadline) {
                long missing = ids.stream().filter(i -> !FIRST_SEEN.containsKey(i)).count();
                throw new IllegalStateException(missing + " of " + ids.size() + " deliveries did not arrive in " + seconds + " s");
            }
            Thread.sleep(5);
        }
    }

    static boolean valid(byte[] key, String id, String ts, byte[] body, String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            return header != null && Arrays.stream(header.split(" ")).filter(s -> s.startsWith("v1,"))
                    .anyMatch(s -> MessageDigest.isEqual(expected, Base64.getDecoder().decode(s.substring(3))));
        } catch (Exception e) {
            return false;
        }
    }

    static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
