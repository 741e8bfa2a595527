package io.tollgate.identity.apikeys;

import io.tollgate.identity.crypto.Secrets;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * {@code tg_live_} or {@code tg_test_}, 32 random base62 characters, then a 6-character base62
 * CRC-32 of everything before it. The fixed prefix and the checksum let secret scanners find
 * leaked keys without false positives, and let us refuse a mistyped key without a database read.
 */
public final class KeyFormat {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern SHAPE = Pattern.compile("^(tg_(live|test)_)([0-9A-Za-z]{32})([0-9A-Za-z]{6})$");

    public record Parsed(String environment, String prefix, String last4) {
    }

    private KeyFormat() {
    }

    public static String generate(String environment) {
        StringBuilder body = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            body.append(ALPHABET.charAt(Secrets.random().nextInt(ALPHABET.length())));
        }
        String head = "tg_" + environment + "_" + body;
        return head + checksum(head);
    }

    /** The key's parts when its shape and checksum are right; null otherwise. */
    public static Parsed parse(String key) {
        if (key == null) {
            return null;
        }
        Matcher m = SHAPE.matcher(key);
        if (!m.matches() || !checksum(m.group(1) + m.group(3)).equals(m.group(4))) {
            return null;
        }
        return new Parsed(m.group(2), m.group(1) + m.group(3).substring(0, 8), key.substring(key.length() - 4));
    }

    static String checksum(String head) {
        CRC32 crc = new CRC32();
        crc.update(head.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[6];
        for (int i = 5; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
