import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Render jobs against render-svc directly, with a no-op model: every submit places a real hold at
 * billing, commits the job and its events, and a worker claims, ends and (through billing's
 * consumer) captures it. Workers submit in a closed loop for the measured seconds after a warm-up.
 * Prints, one line per job, "id submitted-at-epoch-micros", and on stderr the submit latencies
 * (submit -> IN_QUEUE is the 202); the caller reads the rest from the databases.
 *
 * usage: java RenderBench.java <render url> <model> <seconds> <workers> <warm-up seconds> <access tokens...>
 */
public class RenderBench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String model = args[1];
        int seconds = Integer.parseInt(args[2]);
        int workers = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        List<String> tokens = List.of(args).subList(5, args.length);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        ConcurrentLinkedQueue<String> measured = new ConcurrentLinkedQueue<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failures = new AtomicLong();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                int worker = w;
                pool.submit(() -> {
                    String token = tokens.get(worker % tokens.size());
                    while (System.nanoTime() < end) {
                        Instant at = Instant.now();
                        long started = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/queue/" + model))
                                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\": " + ThreadLocalRandom.current().nextInt() + "}"))
                                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                            long took = System.nanoTime() - started;
                            if (r.statusCode() != 202) {
                                failures.incrementAndGet();
                                if (failures.get() < 5) {
                                    System.err.println("submit answered " + r.statusCode() + ": " + r.body());
                                }
                                continue;
                            }
                            if (started >= warmupEnd) {
                                String body = r.body();
                                int i = body.indexOf("\"request_id\":\"") + 14;
                                measured.add(body.substring(i, body.indexOf('"', i)) + " "
                                        + (at.getEpochSecond() * 1_000_000 + at.getNano() / 1000));
                                latencies.add(took);
                            }
                        } catch (IOException | InterruptedException e) {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double rate = sorted.size() / (double) seconds;
        System.err.printf("submits: %d in %d s = %.1f/s, failures %d, submit -> IN_QUEUE p50 %.1f ms, p99 %.1f ms%n", sorted.size(),
                seconds, rate, failures.get(), pct(sorted, 0.50), pct(sorted, 0.99));
        System.out.println("# submitted " + sorted.size() + " rate " + String.format("%.1f", rate) + " p50 "
                + String.format("%.1f", pct(sorted, 0.50)) + " p99 " + String.format("%.1f", pct(sorted, 0.99)) + " failures "
                + failures.get());
        measured.forEach(System.out::println);
    }

    private static double pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
    }
}
