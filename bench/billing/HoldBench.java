import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds and captures per second over HTTP against billing-svc: each worker places a hold on one
 * of the wallets and captures part of it at once, as a render job does. Prints the rate, the
 * latency of the pair and the money captured, so the caller can check that nothing drifted.
 *
 * <p>Each worker keeps one HTTP/1.1 keep-alive connection and speaks the protocol over a plain
 * socket (as wrk does): the load generator shares the machine's two cores with the service and
 * PostgreSQL, and the JDK's HttpClient cost several times the CPU per request.
 *
 * usage: java HoldBench.java <billing url> <service token> <tenant id> <seconds> <workers> <warm-up seconds> <user ids...>
 */
public class HoldBench {

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String token = args[1];
        String tenant = args[2];
        int seconds = Integer.parseInt(args[3]);
        int workers = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        List<String> users = Arrays.asList(args).subList(6, args.length);
        AtomicLong pairs = new AtomicLong();
        AtomicLong captured = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                long[] mine = new long[2_000_000];
                latencies.add(mine);
                pool.submit(() -> {
                    int n = 0;
                    Connection http = null;
                    while (System.nanoTime() < end) {
                        String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
                        long amount = 1 + ThreadLocalRandom.current().nextInt(50);
                        long part = 1 + ThreadLocalRandom.current().nextLong(amount);
                        long started = System.nanoTime();
                        try {
                            if (http == null) {
                                http = new Connection(base, token);
                            }
                            Reply hold = http.post("/internal/holds", "{\"user_id\":\"" + user + "\",\"tenant_id\":\""
                                    + tenant + "\",\"amount_minor\":" + amount + "}", true);
                            if (hold.status() != 201) {
                                failures.incrementAndGet();
                                continue;
                            }
                            Reply capture = http.post("/internal/holds/" + hold.id() + "/capture",
                                    "{\"amount_minor\":" + part + "}", false);
                            if (capture.status() != 200) {
                                failures.incrementAndGet();
                                continue;
                            }
                        } catch (IOException | RuntimeException e) {
                            failures.incrementAndGet();
                            if (http != null) {
                                http.close();
                            }
                            http = null;
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
                    if (http != null) {
                        http.close();
                    }
                    return null;
                });
            }
        }
        long[] all = latencies.stream().flatMapToLong(a -> Arrays.stream(a).filter(v -> v > 0)).sorted().toArray();
        double rate = pairs.get() / (double) seconds;
        // a pair is two requests and two transactions: the hold and its capture
        System.out.printf("pairs %d rate %.1f ops_rate %.1f p50_ms %.2f p99_ms %.2f failures %d captured_minor %d%n",
                pairs.get(), rate, 2 * rate, all.length == 0 ? 0 : all[all.length / 2] / 1e6,
                all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6, failures.get(), captured.get());
    }

    record Reply(int status, String id) {
    }

    /** One keep-alive HTTP/1.1 connection: writes a POST, reads the status line, headers and body. */
    static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final String head;

        Connection(URI base, String token) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16_384);
            head = "Host: " + base.getHost() + ":" + base.getPort() + "\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\n";
        }

        Reply post(String path, String body, boolean idempotent) throws IOException {
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            String request = "POST " + path + " HTTP/1.1\r\n" + head
                    + (idempotent ? "Idempotency-Key: " + UUID.randomUUID() + "\r\n" : "")
                    + "Content-Length: " + payload.length + "\r\n\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            int length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            String text = new String(chunked ? chunked() : in.readNBytes(Math.max(length, 0)), StandardCharsets.UTF_8);
            return new Reply(code, id(text));
        }

        private byte[] chunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            line();
            return body.toByteArray();
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        private static String id(String json) {
            int key = json.indexOf("\"id\"");
            if (key < 0) {
                return null;
            }
            int start = json.indexOf('"', json.indexOf(':', key) + 1) + 1;
            return json.substring(start, json.indexOf('"', start));
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
