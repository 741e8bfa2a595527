package io.tollgate.kit.security;

import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cache's rules, with a parser that records what reached it and a clock the test moves. */
class VerifiedTokensTest {

    private final List<String> parsed = new ArrayList<>();
    private Instant now = Instant.parse("2026-11-23T10:00:00Z");
    /** Expiry (epoch seconds) of the tokens the fake parser returns; a token named "bad" fails. */
    private long expiresAt;
    private VerifiedTokens cache;

    @BeforeEach
    void setUp() {
        expiresAt = now.plusSeconds(900).getEpochSecond();
        cache = cache(Duration.ofSeconds(60), 3);
    }

    @Test
    void a_token_seen_again_is_not_verified_again_but_another_token_is() throws Exception {
        JsonWebToken first = parse("a");
        assertSame(first, parse("a"));
        parse("a2");
        assertEquals(List.of("a", "a2"), parsed);
    }

    @Test
    void an_entry_lasts_the_ttl_at_most() throws Exception {
        parse("a");
        now = now.plusSeconds(59);
        parse("a");
        now = now.plusSeconds(2);
        parse("a");
        assertEquals(List.of("a", "a"), parsed);
    }

    @Test
    void an_entry_never_outlives_its_token() throws Exception {
        expiresAt = now.plusSeconds(10).getEpochSecond();
        parse("a");
        now = now.plusSeconds(9);
        parse("a");
        now = now.plusSeconds(1);
        parse("a");
        assertEquals(List.of("a", "a"), parsed);
    }

    @Test
    void a_failure_is_not_remembered() {
        assertThrows(ParseException.class, () -> parse("bad"));
        assertThrows(ParseException.class, () -> parse("bad"));
        assertEquals(List.of("bad", "bad"), parsed);
    }

    @Test
    void the_cache_stays_within_its_bound() throws Exception {
        for (String token : List.of("a", "b", "c", "d")) {
            parse(token);
        }
        // full at "d": everything went, so "a" is verified again while "d" is still known
        parse("d");
        parse("a");
        assertEquals(List.of("a", "b", "c", "d", "a"), parsed);
    }

    @Test
    void a_zero_ttl_turns_it_off() throws Exception {
        cache = cache(Duration.ZERO, 3);
        parse("a");
        parse("a");
        assertEquals(List.of("a", "a"), parsed);
    }

    private JsonWebToken parse(String token) throws ParseException {
        return cache.parse(token, this::verify);
    }

    private JsonWebToken verify(String token) throws ParseException {
        parsed.add(token);
        if (token.equals("bad")) {
            throw new ParseException("signature");
        }
        return token(expiresAt);
    }

    private VerifiedTokens cache(Duration ttl, int maxEntries) {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new VerifiedTokens(clock, ttl, maxEntries);
    }

    private static JsonWebToken token(long exp) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "someone";
            }

            @Override
            public Set<String> getClaimNames() {
                return Set.of("exp");
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claimName) {
                return claimName.equals("exp") ? (T) Long.valueOf(exp) : null;
            }
        };
    }
}
