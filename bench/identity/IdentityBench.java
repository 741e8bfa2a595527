import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load on identity-svc's hot paths: password logins (Argon2id m=19 MiB, t=2, p=1), refresh-token
 * rotations and the gateway's API-key exchange. Run with bench/identity/run.sh against a fleet
 * started by ./tollgate up; prints one row per operation with the target it is held to.
 */
public class IdentityBench {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    static final String PASSWORD = "Bench-Pass-123";

    record Result(String name, long ok, long failed, double seconds, long p50Micros, long p99Micros) {
        double rps() {
            return ok / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8081";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        java.util.Set<String> phases = java.util.Set.of((args.length > 2 ? args[2] : "login,refresh,exchange").split(","));
        String secret = System.getenv().getOrDefault("TOLLGATE_SERVICE_CLIENT_SECRET", "local-development-secret-gateway-svc");

        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String email = "bench-" + UUID.randomUUID() + "@example.com";
            expect(post(base + "/v1/auth/register", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD
                    + "\",\"full_name\":\"Bench\",\"accept_terms\":true}", null), 201);
            emails.add(email);
        }
        warmUp(base, emails);

        Result none = new Result("-", 0, 0, 1, 0, 0);
        // The target is a rate with a tail: offer exactly 30 logins a second (open loop) and see if they keep up.
        Numbered signIn = i -> {
            String email = emails.get(i % emails.size());
            return post(base + "/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}", null)
                    .statusCode() == 200;
        };
        if (phases.contains("login")) {
            openLoop("warm-up", 30, 5, signIn); // the JIT compiles the path before it is measured
        }
        Result loginAtRate = !phases.contains("login") ? none : openLoop("login at 30/s", 30, seconds, signIn);
        Result login = !phases.contains("login") ? none : run("login capacity", 8, seconds, worker -> () -> {
            String email = emails.get(worker % emails.size());
            return post(base + "/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}", null)
                    .statusCode() == 200;
        });

        Factory refreshing = worker -> {
            String[] token = {field(expect(post(base + "/v1/auth/login", "{\"email\":\"" + emails.get(worker % emails.size())
                    + "\",\"password\":\"" + PASSWORD + "\"}", null), 200), "refresh_token")};
            return () -> {
                HttpResponse<String> r = post(base + "/v1/auth/refresh", "{\"refresh_token\":\"" + token[0] + "\"}", null);
                if (r.statusCode() != 200) {
                    return false;
                }
                token[0] = field(r, "refresh_token");
                return true;
            };
        };
        if (phases.contains("refresh")) {
            run("warm-up", 32, 5, refreshing); // the JIT compiles the path before it is measured
        }
        Result refresh = !phases.contains("refresh") ? none : run("refresh rotation", 32, seconds, refreshing);

        String access = field(expect(post(base + "/v1/auth/login", "{\"email\":\"" + emails.getFirst() + "\",\"password\":\""
                + PASSWORD + "\"}", null), 200), "access_token");
        String key = field(expect(post(base + "/v1/api-keys", "{\"name\":\"bench\",\"scopes\":[\"render:read\"]}", access), 201), "secret_key");
        String service = field(expect(post(base + "/internal/tokens", "{\"client_id\":\"gateway\",\"client_secret\":\"" + secret + "\"}", null), 200),
                "access_token");
        Factory exchanging = worker -> () ->
                post(base + "/internal/api-keys/exchange", "{\"key\":\"" + key + "\",\"ip_address\":\"127.0.0.1\"}", service).statusCode() == 200;
        if (phases.contains("exchange")) {
            run("warm-up", 32, 5, exchanging);
        }
        Result exchange = !phases.contains("exchange") ? none : run("api-key exchange", 32, seconds, exchanging);

        System.out.println();
        System.out.printf("%-18s %8s %7s %10s %10s %10s   %s%n", "operation", "ok", "failed", "per second", "p50 ms", "p99 ms", "target");
        print(loginAtRate, "≥ 30/s, p99 ≤ 300 ms");
        print(login, "(8 clients flat out: the ceiling)");
        print(refresh, "≥ 1,000/s");
        print(exchange, "(no target; cached by the gateway)");
        System.out.printf("%nlogin %s, refresh %s%n",
                loginAtRate.rps() >= 29.5 && loginAtRate.failed() == 0 && loginAtRate.p99Micros() <= 300_000
                        ? "MEETS its target" : "MISSES its target",
                refresh.rps() >= 1000 ? "MEETS its target" : "MISSES its target");
    }

    interface Call {
        boolean call() throws Exception;
    }

    interface Factory {
        Call make(int worker) throws Exception;
    }

    static Result run(String name, int concurrency, int seconds, Factory factory) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failed = new AtomicLong();
        List<Call> calls = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            calls.add(factory.make(w)); // set-up (e.g. a login per worker) is not measured
        }
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                Call call = calls.get(w);
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        timed(call, latencies, failed);
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(name, sorted.size(), failed.get(), elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    interface Numbered {
        boolean call(int i) throws Exception;
    }

    /** Starts {@code rate} calls a second whatever the answers' speed; late answers show as latency. */
    static Result openLoop(String name, int rate, int seconds, Numbered call) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        int total = rate * seconds;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int n = i;
                pool.submit(() -> {
                    timed(() -> call.call(n), latencies, failed);
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(name, sorted.size(), failed.get(), elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    /** Runs one call and records its latency in microseconds, or counts it as failed. */
    static void timed(Call call, ConcurrentLinkedQueue<Long> latencies, AtomicLong failed) {
        long t0 = System.nanoTime();
        boolean ok;
        try {
            ok = call.call();
        } catch (Exception e) {
            ok = false;
        }
        if (ok) {
            latencies.add((System.nanoTime() - t0) / 1_000);
        } else {
            failed.incrementAndGet();
        }
    }

    static void warmUp(String base, List<String> emails) throws Exception {
        for (int i = 0; i < 20; i++) {
            post(base + "/v1/auth/login", "{\"email\":\"" + emails.get(i % emails.size()) + "\",\"password\":\"" + PASSWORD + "\"}", null);
        }
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    static void print(Result r, String target) {
        System.out.printf("%-18s %8d %7d %10.1f %10.1f %10.1f   %s%n", r.name(), r.ok(), r.failed(), r.rps(),
                r.p50Micros() / 1000.0, r.p99Micros() / 1000.0, target);
    }

    static HttpResponse<String> post(String url, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> expect(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException("expected " + status + " but got " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    static String field(HttpResponse<String> response, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + response.body());
        }
        return m.group(1);
    }
}
