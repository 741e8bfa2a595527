package io.tollgate.kit.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One reading of a request path for everybody who matches it. A path is percent-decoded segment by
 * segment (strict UTF-8), {@code .} and {@code ..} are removed as RFC 3986 section 5.2.4 says, and
 * the result is written back with every character outside the unreserved set and {@code !$&'()*+,=:@}
 * percent-encoded, so that the gateway matches and forwards the very path a service will route.
 * What cannot be read one way only is refused rather than guessed: a {@code ..} above the root, an
 * encoded {@code /} or a backslash (some servers split on them), NUL or another control character, a
 * {@code ;} (matrix parameters are stripped by some routers before dot segments are resolved), an
 * empty segment inside the path ({@code //}) and a malformed escape.
 */
public final class RequestPaths {

    /** The outcome: the normal form, or why the path is refused (and the normal form is null). */
    public record Normal(String path, String refusal, boolean changed) {
        public boolean refused() {
            return refusal != null;
        }
    }

    private static final int MAX_LENGTH = 4096;

    private RequestPaths() {
    }

    /** Normalises a raw (still percent-encoded) path such as {@code HttpServerRequest.path()}. */
    public static Normal normalise(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            return refuse("The path must start with /.");
        }
        if (raw.length() > MAX_LENGTH) {
            return refuse("The path is longer than " + MAX_LENGTH + " characters.");
        }
        List<String> segments = new ArrayList<>();
        boolean trailingSlash = raw.length() > 1 && raw.endsWith("/");
        String body = trailingSlash ? raw.substring(1, raw.length() - 1) : raw.substring(1);
        if (!body.isEmpty() || trailingSlash) {
            String[] parts = body.split("/", -1);
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.isEmpty()) {
                    return refuse("The path has an empty segment (//).");
                }
                String decoded = decode(part);
                if (decoded == null) {
                    return refuse("The path has a malformed percent-escape or is not UTF-8.");
                }
                String why = unsafe(decoded);
                if (why != null) {
                    return refuse(why);
                }
                if (decoded.equals(".")) {
                    continue;
                }
                if (decoded.equals("..")) {
                    if (segments.isEmpty()) {
                        return refuse("The path climbs above the root with '..'.");
                    }
                    segments.remove(segments.size() - 1);
                    continue;
                }
                segments.add(decoded);
            }
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (String segment : segments) {
            out.append('/');
            encode(segment, out);
        }
        if (segments.isEmpty() || trailingSlash) {
            out.append('/');
        }
        String normal = out.toString();
        return new Normal(normal, null, !normal.equals(raw));
    }

    /**
     * Whether a path is already safe to route as it stands: no dot segments in any spelling and
     * nothing {@link #normalise} would refuse. Percent-escapes of ordinary characters are allowed.
     */
    public static String problem(String raw) {
        Normal normal = normalise(raw);
        if (normal.refused()) {
            return normal.refusal();
        }
        for (String part : raw.split("/", -1)) {
            String decoded = decode(part);
            if (".".equals(decoded) || "..".equals(decoded)) {
                return "The path has a dot segment ('.' or '..').";
            }
        }
        return null;
    }

    /** Whether a raw query string carries a NUL or another control character, in any spelling. */
    public static boolean queryHasControl(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
            if (c == '%' && i + 2 < rawQuery.length()) {
                int high = hex(rawQuery.charAt(i + 1));
                int low = hex(rawQuery.charAt(i + 2));
                int value = high * 16 + low;
                if (high >= 0 && low >= 0 && (value < 0x20 || value == 0x7f)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Normal refuse(String why) {
        return new Normal(null, why, true);
    }

    private static String unsafe(String decoded) {
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "The path has a NUL or another control character.";
            }
            if (c == '/') {
                return "The path has an encoded slash (%2F).";
            }
            if (c == '\\') {
                return "The path has a backslash.";
            }
            if (c == ';') {
                return "The path has a ';' (matrix parameters are not accepted).";
            }
        }
        return null;
    }

    /** Strict percent-decoding into UTF-8; null when an escape is malformed or the bytes are not UTF-8. */
    static String decode(String part) {
        if (part.indexOf('%') < 0) {
            for (int i = 0; i < part.length(); i++) {
                if (part.charAt(i) > 0x7e) {
                    return null;
                }
            }
            return part;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length()) {
                    return null;
                }
                int high = hex(part.charAt(i + 1));
                int low = hex(part.charAt(i + 2));
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c > 0x7e) {
                return null;
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void encode(String segment, StringBuilder out) {
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (keep(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }

    private static boolean keep(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,=:@".indexOf(c) >= 0;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
