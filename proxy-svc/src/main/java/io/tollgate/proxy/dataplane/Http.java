package io.tollgate.proxy.dataplane;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The little of HTTP/1.1 the proxy reads: message heads, and where a host and port are written. */
final class Http {

    /** A request or response head: its first line split in three, and its header fields in order. */
    record Head(String first, String second, String third, List<String[]> fields) {

        String field(String name) {
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    return f[1];
                }
            }
            return null;
        }

        boolean has(String name, String token) {
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    for (String t : f[1].split(",")) {
                        if (t.trim().equalsIgnoreCase(token)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /** A destination as a request names it. */
    record Authority(String host, int port) {
    }

    private Http() {
    }

    /** The index just past the blank line ending a head, or -1. */
    static int headEnd(Buffer b) {
        int n = b.length();
        for (int i = 3; i < n; i++) {
            if (b.getByte(i) == '\n' && b.getByte(i - 1) == '\r' && b.getByte(i - 2) == '\n' && b.getByte(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a head (without its blank line), or null when it is not one. */
    static Head parse(Buffer b, int end) {
        String text = b.getString(0, end, StandardCharsets.ISO_8859_1.name());
        String[] lines = text.split("\r\n");
        if (lines.length == 0) {
            return null;
        }
        String[] first = lines[0].split(" ", 3);
        if (first.length != 3) {
            return null;
        }
        List<String[]> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            int colon = lines[i].indexOf(':');
            if (colon <= 0 || lines[i].charAt(0) == ' ' || lines[i].charAt(0) == '\t') {
                return null;
            }
            String name = lines[i].substring(0, colon);
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                return null;
            }
            fields.add(new String[] {name, lines[i].substring(colon + 1).trim()});
        }
        return new Head(first[0], first[1], first[2], fields);
    }

    /** {@code host:port}, {@code [v6]:port}; or with {@code defaultPort} when none is written. Null when unreadable. */
    static Authority authority(String text, int defaultPort) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0) {
                if (text.indexOf(':') != colon) {
                    return null;
                }
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            } else {
                host = text;
            }
        }
        if (host.isEmpty() || host.length() > 253 || !host.matches("[A-Za-z0-9.:_-]+")) {
            return null;
        }
        int p = defaultPort;
        if (port != null) {
            if (!port.matches("[0-9]{1,5}")) {
                return null;
            }
            p = Integer.parseInt(port);
        }
        if (p < 1 || p > 65535) {
            return null;
        }
        return new Authority(host.toLowerCase(Locale.ROOT), p);
    }
}
