package io.tollgate.kit.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/** Allowed caller addresses of a key: single IPv4/IPv6 addresses or CIDR blocks. */
public final class IpRules {

    private static final Pattern LITERAL = Pattern.compile("^[0-9A-Fa-f:.]+$");

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
            Block block = parse(rule);
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
            if (parse(rule).contains(address)) {
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
        if (text == null || !LITERAL.matcher(text).matches() || (!text.contains(":") && text.split("\\.").length != 4)) {
            throw new IllegalArgumentException("must be an IP address or a CIDR block");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("must be an IP address or a CIDR block");
        }
    }
}
