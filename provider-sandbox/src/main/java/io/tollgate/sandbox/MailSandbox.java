package io.tollgate.sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A mail provider on this machine: an SMTP server (RFC 5321: HELO/EHLO, MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT; no TLS, no auth) that keeps what it receives, so tests and a person running the
 * fleet locally can read the mail Tollgate sends.
 */
public final class MailSandbox implements AutoCloseable {

    /** One message as received: envelope and the raw RFC 5322 text. */
    public record Message(String from, List<String> to, String data) {
        public String subject() {
            for (String line : data.split("\r?\n")) {
                if (line.isEmpty()) {
                    break;
                }
                if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
                    return line.substring(8).trim();
                }
            }
            return "";
        }
    }

    private final ServerSocket server;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Message> messages = new CopyOnWriteArrayList<>();

    private MailSandbox(int port) throws IOException {
        // loopback unless SANDBOX_BIND names another address (0.0.0.0 in its container)
        String bind = System.getenv("SANDBOX_BIND");
        server = new ServerSocket(port, 64, bind == null || bind.isBlank() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(bind));
        workers.submit(this::accept);
    }

    public static MailSandbox start(int port) throws IOException {
        return new MailSandbox(port);
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Message> messages() {
        return List.copyOf(messages);
    }

    public List<Message> messagesTo(String address) {
        return messages.stream().filter(m -> m.to().stream().anyMatch(t -> t.equalsIgnoreCase(address))).toList();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                workers.submit(() -> session(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket) {
        try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = socket.getOutputStream()) {
            reply(out, "220 sandbox.tollgate.local ESMTP");
            String from = null;
            List<String> to = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> reply(out, "250-sandbox.tollgate.local\r\n250-8BITMIME\r\n250 SIZE 10485760");
                    case "HELO" -> reply(out, "250 sandbox.tollgate.local");
                    case "MAIL" -> {
                        from = address(line);
                        to = new ArrayList<>();
                        reply(out, "250 OK");
                    }
                    case "RCPT" -> {
                        if (from == null) {
                            reply(out, "503 MAIL first");
                        } else {
                            to.add(address(line));
                            reply(out, "250 OK");
                        }
                    }
                    case "DATA" -> {
                        if (to.isEmpty()) {
                            reply(out, "503 RCPT first");
                            break;
                        }
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder data = new StringBuilder();
                        String d;
                        while ((d = in.readLine()) != null && !d.equals(".")) {
                            data.append(d.startsWith("..") ? d.substring(1) : d).append("\r\n");
                        }
                        messages.add(new Message(from, List.copyOf(to), data.toString()));
                        reply(out, "250 OK queued");
                        from = null;
                        to = new ArrayList<>();
                    }
                    case "RSET" -> {
                        from = null;
                        to = new ArrayList<>();
                        reply(out, "250 OK");
                    }
                    case "NOOP" -> reply(out, "250 OK");
                    case "QUIT" -> {
                        reply(out, "221 Bye");
                        return;
                    }
                    default -> reply(out, "502 Command not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to keep
        }
    }

    private static String address(String line) {
        int open = line.indexOf('<');
        int close = line.indexOf('>', open + 1);
        return open >= 0 && close > open ? line.substring(open + 1, close) : line.substring(line.indexOf(':') + 1).trim();
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        workers.shutdownNow();
    }
}
