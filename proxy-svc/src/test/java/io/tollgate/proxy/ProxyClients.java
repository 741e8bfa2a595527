package io.tollgate.proxy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The clients of the data plane's tests: curl as a customer runs it, and raw HTTP CONNECT and SOCKS5 over sockets. */
final class ProxyClients {

    /** What curl printed and its exit code. */
    record Curl(int exit, String body, String status) {
    }

    private ProxyClients() {
    }

    /** curl with these arguments; {@code -w} adds the status on a last line. */
    static Curl curl(String... args) throws Exception {
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

    static String basic(String login, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** An open CONNECT tunnel (or the refusal's status line). */
    record Tunnel(Socket socket, String status) implements AutoCloseable {
        InputStream in() throws IOException {
            return socket.getInputStream();
        }

        OutputStream out() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Tunnel connect(int proxyPort, String authorization, String target) throws IOException {
        Socket s = new Socket("127.0.0.1", proxyPort);
        s.setSoTimeout(20_000);
        s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                + (authorization == null ? "" : "Proxy-Authorization: " + authorization + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Tunnel(s, head(s.getInputStream()));
    }

    /** Reads an HTTP head through its blank line; its first line is returned. */
    static String head(InputStream in) throws IOException {
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

    /** A SOCKS5 handshake with username/password and a CONNECT; the socket and the reply code (or the auth status as -1 - status). */
    record Socks(Socket socket, int reply) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Socks socks(int proxyPort, String user, String password, byte type, byte[] address, int port) throws IOException {
        Socket s = new Socket("127.0.0.1", proxyPort);
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 1, 2});
        byte[] method = new byte[2];
        in.readFully(method);
        if (method[1] != 2) {
            return new Socks(s, -100 - (method[1] & 0xff));
        }
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.write(1);
        auth.write(u.length);
        auth.write(u);
        auth.write(pw.length);
        auth.write(pw);
        out.write(auth.toByteArray());
        byte[] status = new byte[2];
        in.readFully(status);
        if (status[1] != 0) {
            return new Socks(s, -1 - status[1]);
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(new byte[] {5, 1, 0, type});
        if (type == 3) {
            request.write(address.length);
        }
        request.write(address);
        request.write(port >> 8);
        request.write(port & 0xff);
        out.write(request.toByteArray());
        byte[] reply = new byte[10];
        in.readFully(reply, 0, 4);
        int rest = reply[3] == 4 ? 16 + 2 : 4 + 2;
        in.readFully(new byte[rest]);
        return new Socks(s, reply[1]);
    }

    static byte[] v4(String address) throws IOException {
        return InetAddress.getByName(address).getAddress();
    }

    /** Sends a GET on an open tunnel and reads the whole answer's body (Content-Length). */
    static byte[] get(Socket s, String path, String host) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return body(s.getInputStream());
    }

    static byte[] body(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        return in.readNBytes((int) length);
    }
}
