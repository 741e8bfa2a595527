package io.tollgate.kit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 request written byte for byte, as {@code curl --path-as-is} sends it: HTTP client
 * libraries remove dot segments and re-encode paths before sending, which would hide exactly what
 * a path test must send. One request per connection ({@code Connection: close}).
 */
public final class RawHttp {

    /** The answer: status, headers (lower-case names; repeated ones joined with ", ") and body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?m)^content-length:\\s*(\\d+)");

    private RawHttp() {
    }

    public static Answer get(String baseUrl, String rawTarget, String... headerLines) {
        return send(baseUrl, "GET", rawTarget, List.of(headerLines), null);
    }

    public static Answer send(String baseUrl, String method, String rawTarget, List<String> headerLines, String body) {
        java.net.URI base = java.net.URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder();
            request.append(method).append(' ').append(rawTarget).append(" HTTP/1.1\r\n");
            request.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
            request.append("Connection: close\r\n");
            for (String line : headerLines) {
                request.append(line).append("\r\n");
            }
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                request.append("Content-Length: ").append(payload.length).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) {
            all.write(chunk, 0, n);
            if (complete(all.toString(StandardCharsets.ISO_8859_1))) {
                break;
            }
        }
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        String head = split < 0 ? text : text.substring(0, split);
        String rest = split < 0 ? "" : text.substring(split + 4);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        return new Answer(status, headers, new String(rest.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    /** Whether the bytes so far hold a whole answer (by Content-Length or the last chunk), so the server need not close. */
    private static boolean complete(String text) {
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            return false;
        }
        String head = text.substring(0, split).toLowerCase(Locale.ROOT);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            return text.length() - split - 4 >= Integer.parseInt(length.group(1));
        }
        if (head.contains("transfer-encoding: chunked")) {
            return text.endsWith("0\r\n\r\n");
        }
        return false;
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int end = chunked.indexOf("\r\n", at);
            if (end < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, end).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, end + 2, end + 2 + size);
            at = end + 2 + size + 2;
        }
        return out.toString();
    }
}
