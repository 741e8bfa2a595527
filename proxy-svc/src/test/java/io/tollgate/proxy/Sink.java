package io.tollgate.proxy;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A destination for the data plane's tests, on loopback: an HTTP/1.1 server (plain or TLS) that
 * counts every byte it receives and sends on its TCP connections and remembers who connected.
 * {@code GET /ip} answers the caller's address, {@code GET /bytes/<n>} n random bytes, and any
 * request with a body reads it whole and answers {@code ok}.
 */
final class Sink implements AutoCloseable {

    final AtomicLong received = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final List<String> peers = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final SSLContext tls;

    private Sink(InetAddress bind, SSLContext tls) throws IOException {
        this.tls = tls;
        this.server = new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket s = new CountingSocket();
                implAccept(s);
                return s;
            }
        };
        server.bind(new InetSocketAddress(bind, 0));
        Thread.ofVirtual().start(this::serve);
    }

    static Sink plain(String address) throws IOException {
        return new Sink(InetAddress.getByName(address), null);
    }

    static Sink tls() throws Exception {
        Path dir = Files.createTempDirectory("sink");
        Path store = dir.resolve("sink.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "sink", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "sinkpass", "-keypass", "sinkpass")
                .redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "sinkpass".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "sinkpass".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return new Sink(InetAddress.getByName("127.0.0.1"), context);
    }

    int port() {
        return server.getLocalPort();
    }

    long total() {
        return received.get() + sent.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                peers.add(s.getInetAddress().getHostAddress());
                Thread.ofVirtual().start(() -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket raw) {
        try (Socket s = tls == null ? raw : layered(raw)) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = head(in);
                if (head == null) {
                    // the caller is gone: nothing more is sent (a TLS close_notify now would reach no one and still be counted)
                    raw.close();
                    return;
                }
                String[] lines = head.split("\r\n");
                String path = lines[0].split(" ")[1];
                long length = 0;
                boolean close = false;
                for (String line : lines) {
                    String l = line.toLowerCase(Locale.ROOT);
                    if (l.startsWith("content-length:")) {
                        length = Long.parseLong(l.substring(15).trim());
                    }
                    close |= l.startsWith("connection:") && l.contains("close");
                }
                // read, not skipped: a skip would pass below the counting stream
                byte[] sink = new byte[65536];
                for (long left = length; left > 0; ) {
                    int n = in.read(sink, 0, (int) Math.min(sink.length, left));
                    if (n < 0) {
                        return;
                    }
                    left -= n;
                }
                byte[] body;
                if (path.equals("/ip")) {
                    body = raw.getInetAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
                } else if (path.startsWith("/bytes/")) {
                    body = new byte[Integer.parseInt(path.substring(7))];
                    ThreadLocalRandom.current().nextBytes(body);
                } else {
                    body = "ok".getBytes(StandardCharsets.US_ASCII);
                }
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\n"
                        + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // the caller went away
        }
    }

    private Socket layered(Socket raw) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
        s.setUseClientMode(false);
        s.startHandshake();
        return s;
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        int state = 0;
        while ((b = in.read()) != -1) {
            head.write(b);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1 -> b == '\n' ? 2 : b == '\r' ? 1 : 0;
                case 3 -> b == '\n' ? 4 : b == '\r' ? 1 : 0;
                default -> 0;
            };
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** A server-side socket whose streams count what passes, below TLS when there is TLS. */
    private final class CountingSocket extends Socket {
        private InputStream in;
        private OutputStream out;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0) {
                            received.incrementAndGet();
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = super.read(buf, off, len);
                        if (n > 0) {
                            received.addAndGet(n);
                        }
                        return n;
                    }
                };
            }
            return in;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(int b) throws IOException {
                        out().write(b);
                        sent.incrementAndGet();
                    }

                    @Override
                    public void write(byte[] buf, int off, int len) throws IOException {
                        out().write(buf, off, len);
                        sent.addAndGet(len);
                    }

                    private OutputStream out() {
                        return this.out;
                    }
                };
            }
            return out;
        }
    }
}
