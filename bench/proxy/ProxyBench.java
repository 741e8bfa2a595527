import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxy benchmark's client and sink, in one file (run with {@code java ProxyBench.java}).
 *
 * <p>The sink listens on loopback and speaks one exchange per request: the client sends two longs
 * (bytes it uploads, bytes it wants back) and then the upload; the sink reads it and writes the
 * download. It counts every byte it reads and writes, which is what the metering is checked against.
 *
 * <p>A door is how the client reaches the sink: {@code direct}, {@code http:host:port[:user:pass]}
 * (an HTTP CONNECT tunnel) or {@code socks:host:port[:user:pass]} (SOCKS5, RFC 1928/1929).
 *
 * <p>Usage: {@code sink <port>} runs a sink until killed, printing its counters on a line per
 * second to standard output; every other command runs against a sink at {@code <sink port>}:
 * <ul>
 *   <li>{@code throughput <door> <sink port> <streams> <MiB per stream>}: MB/s of downloads;</li>
 *   <li>{@code setup <door> <sink port> <count>}: tunnel set-up (connect, handshake, one 1-byte
 *       exchange) p50/p99 in ms, one after another;</li>
 *   <li>{@code idle <door> <sink port> <tunnels> <hold seconds>}: tunnels opened at once, held idle,
 *       then each used once; how many were held;</li>
 *   <li>{@code mixed <door> <sink port> <connections> <exchanges>}: random uploads and downloads
 *       (1 B to 4 MiB each way), prints the bytes sent and received;</li>
 *   <li>{@code drain <door> <sink port>}: downloads until the door closes the tunnel, prints the bytes
 *       received.</li>
 * </ul>
 */
public class ProxyBench {

    record Door(String kind, String host, int port, String user, String pass) {
        static Door parse(String s) {
            if (s.equals("direct")) {
                return new Door("direct", null, 0, null, null);
            }
            String[] p = s.split(":", 5);
            return new Door(p[0], p[1], Integer.parseInt(p[2]), p.length > 3 ? p[3] : null, p.length > 4 ? p[4] : null);
        }

        Socket open(int sinkPort) throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            switch (kind) {
                case "direct" -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sinkPort), 10_000);
                case "http" -> {
                    s.connect(new InetSocketAddress(host, port), 10_000);
                    String auth = user == null ? "" : "Proxy-Authorization: Basic "
                            + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)) + "\r\n";
                    s.getOutputStream().write(("CONNECT 127.0.0.1:" + sinkPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + sinkPort + "\r\n" + auth
                            + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    String head = readHead(s.getInputStream());
                    if (!head.startsWith("HTTP/1.1 200") && !head.startsWith("HTTP/1.0 200")) {
                        s.close();
                        throw new IOException("CONNECT refused: " + head.lines().findFirst().orElse(head));
                    }
                }
                case "socks" -> {
                    s.connect(new InetSocketAddress(host, port), 10_000);
                    OutputStream out = s.getOutputStream();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    out.write(user == null ? new byte[] {5, 1, 0} : new byte[] {5, 1, 2});
                    byte[] chosen = new byte[2];
                    in.readFully(chosen);
                    if (chosen[1] == 2) {
                        byte[] u = user.getBytes(StandardCharsets.UTF_8);
                        byte[] pw = pass.getBytes(StandardCharsets.UTF_8);
                        byte[] m = new byte[3 + u.length + pw.length];
                        m[0] = 1;
                        m[1] = (byte) u.length;
                        System.arraycopy(u, 0, m, 2, u.length);
                        m[2 + u.length] = (byte) pw.length;
                        System.arraycopy(pw, 0, m, 3 + u.length, pw.length);
                        out.write(m);
                        byte[] status = new byte[2];
                        in.readFully(status);
                        if (status[1] != 0) {
                            s.close();
                            throw new IOException("SOCKS5 login refused");
                        }
                    } else if (chosen[1] != 0) {
                        s.close();
                        throw new IOException("SOCKS5 method refused");
                    }
                    out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (sinkPort >> 8), (byte) sinkPort});
                    byte[] reply = new byte[10];
                    in.readFully(reply);
                    if (reply[1] != 0) {
                        s.close();
                        throw new IOException("SOCKS5 CONNECT refused: reply " + reply[1]);
                    }
                }
                default -> throw new IllegalArgumentException("door " + kind);
            }
            return s;
        }
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                return b.toString();
            }
        }
        throw new IOException("closed in the head: " + b);
    }

    static final byte[] BLOCK = new byte[64 * 1024];

    /** One exchange: {@code up} bytes out, {@code down} bytes back. */
    static void exchange(Socket s, long up, long down) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeLong(up);
        out.writeLong(down);
        for (long left = up; left > 0; ) {
            int n = (int) Math.min(left, BLOCK.length);
            out.write(BLOCK, 0, n);
            left -= n;
        }
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        for (long left = down; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(left, buf.length));
            if (n < 0) {
                throw new IOException("closed with " + left + " bytes to come");
            }
            left -= n;
        }
    }

    static void sink(int port) throws Exception {
        AtomicLong read = new AtomicLong();
        AtomicLong written = new AtomicLong();
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                System.out.println(read.get() + " " + written.get());
                System.out.flush();
            }
        });
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        while (true) {
            Socket s = server.accept();
            pool.execute(() -> {
                try (s) {
                    s.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[64 * 1024];
                    while (true) {
                        long up;
                        long down;
                        try {
                            up = in.readLong();
                            down = in.readLong();
                        } catch (IOException e) {
                            return;
                        }
                        read.addAndGet(16);
                        for (long left = up; left > 0; ) {
                            int n = in.read(buf, 0, (int) Math.min(left, buf.length));
                            if (n < 0) {
                                return;
                            }
                            read.addAndGet(n);
                            left -= n;
                        }
                        for (long left = down; left > 0; ) {
                            int n = (int) Math.min(left, BLOCK.length);
                            out.write(BLOCK, 0, n);
                            written.addAndGet(n);
                            left -= n;
                        }
                        out.flush();
                    }
                } catch (IOException e) {
                    // the client or the door went away
                }
            });
        }
    }

    static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        String cmd = args[0];
        if (cmd.equals("sink")) {
            sink(Integer.parseInt(args[1]));
            return;
        }
        Door door = Door.parse(args[1]);
        int sink = Integer.parseInt(args[2]);
        switch (cmd) {
            case "throughput" -> {
                int streams = Integer.parseInt(args[3]);
                long bytes = Long.parseLong(args[4]) << 20;
                // a warm-up exchange per stream first, so that the measure starts with every tunnel open
                List<Socket> sockets = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    Socket s = door.open(sink);
                    exchange(s, 0, 1 << 20);
                    sockets.add(s);
                }
                long t0 = System.nanoTime();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> all = new ArrayList<>();
                    for (Socket s : sockets) {
                        all.add(pool.submit(() -> {
                            exchange(s, 0, bytes);
                            return null;
                        }));
                    }
                    for (Future<?> f : all) {
                        f.get();
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                for (Socket s : sockets) {
                    s.close();
                }
                System.out.printf("%.1f%n", streams * (double) bytes / 1e6 / seconds);
            }
            case "setup" -> {
                int count = Integer.parseInt(args[3]);
                for (int i = 0; i < Math.min(50, count); i++) {
                    try (Socket s = door.open(sink)) {
                        exchange(s, 0, 1);
                    }
                }
                long[] took = new long[count];
                for (int i = 0; i < count; i++) {
                    long t0 = System.nanoTime();
                    try (Socket s = door.open(sink)) {
                        exchange(s, 0, 1);
                        took[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(took);
                System.out.printf("%.2f %.2f%n", percentile(took, 0.50), percentile(took, 0.99));
            }
            case "idle" -> {
                int tunnels = Integer.parseInt(args[3]);
                int hold = Integer.parseInt(args[4]);
                List<Socket> open = new ArrayList<>();
                int failedOpen = 0;
                try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
                    List<Future<Socket>> all = new ArrayList<>();
                    for (int i = 0; i < tunnels; i++) {
                        all.add(pool.submit(() -> {
                            Socket s = door.open(sink);
                            exchange(s, 0, 1);
                            return s;
                        }));
                    }
                    for (Future<Socket> f : all) {
                        try {
                            open.add(f.get());
                        } catch (Exception e) {
                            failedOpen++;
                        }
                    }
                }
                Thread.sleep(hold * 1000L);
                int held = 0;
                for (Socket s : open) {
                    try {
                        s.setSoTimeout(10_000);
                        exchange(s, 1, 1);
                        held++;
                    } catch (IOException e) {
                        // dropped while idle
                    }
                }
                for (Socket s : open) {
                    s.close();
                }
                System.out.println(held + " " + failedOpen);
            }
            case "mixed" -> {
                int connections = Integer.parseInt(args[3]);
                int exchanges = Integer.parseInt(args[4]);
                AtomicLong up = new AtomicLong();
                AtomicLong down = new AtomicLong();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> all = new ArrayList<>();
                    for (int c = 0; c < connections; c++) {
                        all.add(pool.submit(() -> {
                            try (Socket s = door.open(sink)) {
                                for (int i = 0; i < exchanges; i++) {
                                    long u = 1 + ThreadLocalRandom.current().nextLong(4 << 20);
                                    long d = 1 + ThreadLocalRandom.current().nextLong(4 << 20);
                                    exchange(s, u, d);
                                    up.addAndGet(16 + u);
                                    down.addAndGet(d);
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : all) {
                        f.get();
                    }
                }
                System.out.println(up.get() + " " + down.get());
            }
            case "drain" -> {
                long received = 0;
                try (Socket s = door.open(sink)) {
                    s.setSoTimeout(15_000);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeLong(0);
                    out.writeLong(Long.MAX_VALUE / 2);
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        received += n;
                    }
                } catch (IOException e) {
                    // the door closed the tunnel (or refused it): what came before is the figure
                }
                System.out.println(received);
            }
            default -> throw new IllegalArgumentException(cmd);
        }
    }
}
