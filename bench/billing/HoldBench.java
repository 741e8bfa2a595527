import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds and captures per second over HTTP against billing-svc: each worker places a hold on one
 * of the wallets and captures part of it at once, as a render job does. Prints the rate, the
 * latency of the pair and the money captured, so the caller can check that nothing drifted.
 * usage: java HoldBench.java <billing url> <service token> <tenant id> <seconds> <workers> <user ids...>
 */
public class HoldBench {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        String tenant = args[2];
        int seconds = Integer.parseInt(args[3]);
        int workers = Integer.parseInt(args[4]);
        List<String> users = Arrays.asList(args).subList(5, args.length);
        AtomicLong pairs = new AtomicLong();
        AtomicLong captured = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                long[] mine = new long[2_000_000];
                latencies.add(mine);
                pool.submit(() -> {
                    int n = 0;
                    while (System.nanoTime() < end) {
                        String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
                        long amount = 1 + ThreadLocalRandom.current().nextInt(50);
                        long part = 1 + ThreadLocalRandom.current().nextLong(amount);
                        long started = System.nanoTime();
                        try {
                            HttpResponse<String> hold = post(base + "/internal/holds", token, "{\"user_id\":\"" + user
                                    + "\",\"tenant_id\":\"" + tenant + "\",\"amount_minor\":" + amount + "}");
                            if (hold.statusCode() != 201) {
                                failures.incrementAndGet();
                                continue;
                            }
                            Matcher m = ID.matcher(hold.body());
                            m.find();
                            HttpResponse<String> capture = post(base + "/internal/holds/" + m.group(1) + "/capture", token,
                                    "{\"amount_minor\":" + part + "}");
                            if (capture.statusCode() != 200) {
                                failures.incrementAndGet();
                                continue;
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            continue;
                        }
                        long done = System.nanoTime();
                        // captured money counts whenever it happened; rates only after the warm-up
                        captured.addAndGet(part);
                        if (started >= warmupEnd) {
                            pairs.incrementAndGet();
                            if (n < mine.length) {
                                mine[n++] = done - started;
                            }
                        }
                    }
                    return null;
                });
            }
        }
        long[] all = latencies.stream().flatMapToLong(a -> Arrays.stream(a).filter(v -> v > 0)).sorted().toArray();
        double rate = pairs.get() / (double) seconds;
        System.out.printf("pairs %d rate %.1f p50_ms %.2f p99_ms %.2f failures %d captured_minor %d%n", pairs.get(), rate,
                all.length == 0 ? 0 : all[all.length / 2] / 1e6, all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6,
                failures.get(), captured.get());
    }

    static HttpResponse<String> post(String url, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
