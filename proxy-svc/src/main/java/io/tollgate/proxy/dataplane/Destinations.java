package io.tollgate.proxy.dataplane;

import io.tollgate.kit.net.IpRules;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a port may send its traffic. CONNECT (and SOCKS5) reach only the tunnel ports
 * ({@code connect-ports}, 443 by default), absolute-form requests only the plain ports (80); a
 * destination whose address is loopback, private, link-local, carrier-grade NAT, unique-local,
 * multicast, unspecified or a cloud metadata address is refused unless {@code allow} names it. A
 * host name is resolved once here and the address checked is the one connected to, so a second
 * lookup cannot point the tunnel elsewhere (DNS rebinding).
 */
final class Destinations {

    /** A set of ports written as {@code 443,8443,47000-47999} or {@code *}. */
    record Ports(boolean any, List<int[]> ranges) {
        static Ports parse(String text) {
            if (text.trim().equals("*")) {
                return new Ports(true, List.of());
            }
            List<int[]> ranges = new ArrayList<>();
            for (String part : text.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                String[] ends = p.split("-");
                int first = Integer.parseInt(ends[0].trim());
                ranges.add(new int[] {first, ends.length > 1 ? Integer.parseInt(ends[1].trim()) : first});
            }
            return new Ports(false, ranges);
        }

        boolean contains(int port) {
            if (any) {
                return true;
            }
            for (int[] r : ranges) {
                if (port >= r[0] && port <= r[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final List<String> FORBIDDEN = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
            "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3", "::/128", "::1/128", "fc00::/7",
            "fe80::/10", "ff00::/8", "64:ff9b::/96");

    private final Ports connectPorts;
    private final Ports plainPorts;
    private final List<String> allow;

    Destinations(String connectPorts, String plainPorts, List<String> allow) {
        this.connectPorts = Ports.parse(connectPorts);
        this.plainPorts = Ports.parse(plainPorts);
        this.allow = allow;
        for (String rule : allow) {
            String problem = IpRules.problem(rule);
            if (problem != null) {
                throw new IllegalStateException("tollgate.proxy.dataplane.allow-destinations: " + rule + " " + problem);
            }
        }
    }

    boolean tunnelPort(int port) {
        return connectPorts.contains(port);
    }

    boolean plainPort(int port) {
        return plainPorts.contains(port);
    }

    /** A SOCKS5 CONNECT may reach either kind of port. */
    boolean socksPort(int port) {
        return connectPorts.contains(port) || plainPorts.contains(port);
    }

    /** Whether traffic may go to this address. */
    boolean allowed(InetAddress address) {
        InetAddress a = unmapped(address);
        if (IpRules.matches(allow, a)) {
            return true;
        }
        return !(a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress() || IpRules.matches(FORBIDDEN, a));
    }

    /** The addresses a host stands for, IPv4 first (a literal is itself); blocking: call off the event loop. */
    static List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(host)) {
            (a instanceof Inet4Address ? v4 : v6).add(a);
        }
        v4.addAll(v6);
        return v4;
    }

    /** An IPv4 address written as IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it is. */
    static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] raw = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= raw[i] == 0;
            }
            if (mapped && raw[10] == (byte) 0xff && raw[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]});
                } catch (UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }
}
