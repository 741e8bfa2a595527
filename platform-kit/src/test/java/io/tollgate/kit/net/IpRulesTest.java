package io.tollgate.kit.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpRulesTest {

    @Test
    void the_quick_ipv4_reading_agrees_with_the_resolver_on_every_text_it_accepts() throws Exception {
        for (String text : List.of("0.0.0.0", "1.2.3.4", "127.0.0.1", "255.255.255.255", "10.20.30.40", "198.51.100.7")) {
            InetAddress quick = IpRules.dottedQuad(text);
            assertNotNull(quick, text);
            assertArrayEquals(InetAddress.getByName(text).getAddress(), quick.getAddress(), text);
        }
        for (String text : List.of("", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1..2.3", ".1.2.3", "1.2.3.4.", "1.2.3.a",
                "::1", "1.2.3.4/8", " 1.2.3.4", "1234.1.1.1")) {
            assertNull(IpRules.dottedQuad(text), text);
        }
    }

    @Test
    void rules_answer_the_same_the_first_time_and_every_time_after() {
        List<String> rules = List.of("10.0.0.0/8", "192.0.2.7", "2001:db8::/32");
        for (int round = 0; round < 3; round++) {
            assertTrue(IpRules.allows(rules, "10.1.2.3"));
            assertTrue(IpRules.allows(rules, "192.0.2.7"));
            assertTrue(IpRules.allows(rules, "2001:db8::1"));
            assertFalse(IpRules.allows(rules, "192.0.2.8"));
            assertFalse(IpRules.allows(rules, "11.0.0.1"));
            assertFalse(IpRules.allows(rules, "not-an-address"));
        }
        assertTrue(IpRules.allows(List.of(), "203.0.113.9"));
        assertEquals("must be an IP address or a CIDR block", IpRules.problem("10.0.0.0/8/8"));
        assertEquals("has an invalid prefix length", IpRules.problem("10.0.0.0/33"));
    }
}
