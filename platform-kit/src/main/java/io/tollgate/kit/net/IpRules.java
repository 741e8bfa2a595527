package io.tollgate.kit.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Allowed caller addresses of a key: single IPv4/IPv6 addresses or CIDR blocks. */
public final class IpRules {

    private static final Pattern LITERAL = Pattern.compile("^[0-9A-Fa-f:.]+$");
    /**
     * Rules already read: a service checks the same few (trusted proxies, a key's allow-list, the
     * forbidden ranges) on every request, and reading one costs a regex and an address parse.
     */
    private static final Map<String, Block> PARSED = new ConcurrentHashMap<>();
    private static final int MAX_PARSED = 4_096;

    private IpRules() {
    }

    /** Why a rule is unusable, or null when it is a valid address or CIDR. */
    public static String problem(String rule) {
        try {
            parse(rule);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    public static boolean allows(List<String> rules, String ip) {
        if (rules == null || rules.isEmpty()) {
            return true;
        }
        InetAddress caller;
        try {
            caller = literal(ip);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (String rule : rules) {
            Block block = parsed(rule);
            if (block.contains(caller)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an address lies in any of the rules; no rules match nothing. */
    public static boolean matches(List<String> rules, InetAddress address) {
        if (rules == null) {
            return false;
        }
        for (String rule : rules) {
            if (parsed(rule).contains(address)) {
                return true;
            }
        }
        return false;
    }

    private record Block(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] raw = address.getAddress();
            if (raw.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (raw[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (raw[whole] & mask) == (network[whole] & mask);
        }
    }

    /** {@link #parse} once per distinct rule (a bad rule is never kept, so it throws every time). */
    private static Block parsed(String rule) {
        Block known = rule == null ? null : PARSED.get(rule);
        if (known != null) {
            return known;
        }
        Block block = parse(rule);
        if (PARSED.size() >= MAX_PARSED) {
            PARSED.clear();
        }
        PARSED.put(rule, block);
        return block;
    }

    private static Block parse(String rule) {
        if (rule == null || rule.isBlank() || rule.length() > 64) {
            throw new IllegalArgumentException("must be an IP address or a CIDR block");
        }
        String[] parts = rule.trim().split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("must be an IP address or a CIDR block");
        }
        InetAddress address = literal(parts[0]);
        int max = address.getAddress().length * 8;
        int bits = max;
        if (parts.length == 2) {
            try {
                bits = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("has an invalid prefix length");
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("has an invalid prefix length");
            }
        }
        return new Block(address.getAddress(), bits);
    }

    // Only literals: a host name here would make the check depend on DNS.
    private static InetAddress literal(String text) {
        InetAddress quad = dottedQuad(text);
        if (quad != null) {
            return quad;
        }
        if (text == null || !LITERAL.matcher(text).matches() || (!text.contains(":") && text.split("\\.").length != 4)) {
            throw new IllegalArgumentException("must be an IP address or a CIDR block");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("must be an IP address or a CIDR block");
        }
    }

    /**
     * A canonical IPv4 literal (four decimal octets 0-255, no leading zeros) read without a regex or
     * the resolver, or null for anything else, which then takes the general path. Every text this
     * accepts reads there as the same address.
     */
    static InetAddress dottedQuad(String text) {
        if (text == null || text.length() < 7 || text.length() > 15) {
            return null;
        }
        byte[] octets = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i == text.length() ? '.' : text.charAt(i);
            if (c == '.') {
                if (digits == 0 || part == 4) {
                    return null;
                }
                octets[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    return null; // a leading zero
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (part != 4) {
            return null;
        }
        try {
            return InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
