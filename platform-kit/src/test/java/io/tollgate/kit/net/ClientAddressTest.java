package io.tollgate.kit.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientAddressTest {

    private static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1/128");

    @Test
    void every_forwarded_line_counts_in_order_and_the_right_most_untrusted_hop_is_the_caller() {
        // a client's own first line cannot pick its address
        assertEquals("9.9.9.9", ClientAddress.resolve("127.0.0.1", List.of("203.0.113.7", "9.9.9.9"), LOOPBACK));
        assertEquals("9.9.9.9", ClientAddress.resolve("127.0.0.1", List.of("203.0.113.7, 9.9.9.9"), LOOPBACK));
        assertEquals("198.51.100.7", ClientAddress.resolve("127.0.0.1", List.of("203.0.113.9, 198.51.100.7, 127.0.0.2"), LOOPBACK));
    }

    @Test
    void a_peer_that_is_not_a_trusted_proxy_is_the_caller_whatever_it_claims() {
        assertEquals("198.51.100.20", ClientAddress.resolve("198.51.100.20", List.of("127.0.0.1"), LOOPBACK));
        assertEquals("127.0.0.1", ClientAddress.resolve("127.0.0.1", List.of("9.9.9.9"), List.of()));
    }

    @Test
    void a_malformed_hop_stops_the_walk_at_the_last_address_believed() {
        assertEquals("127.0.0.1", ClientAddress.resolve("127.0.0.1", List.of("9.9.9.9, not-an-address"), LOOPBACK));
        assertEquals("127.0.0.3", ClientAddress.resolve("127.0.0.1", List.of("garbage, 127.0.0.3"), LOOPBACK));
        assertEquals("127.0.0.1", ClientAddress.resolve("127.0.0.1", List.of("10.0.0.0/8"), LOOPBACK));
        assertEquals("127.0.0.1", ClientAddress.resolve("127.0.0.1", List.of(), LOOPBACK));
    }
}
