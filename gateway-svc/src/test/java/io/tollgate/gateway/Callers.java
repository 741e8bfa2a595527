package io.tollgate.gateway;

import io.tollgate.kit.testing.TestTokens;

import java.util.UUID;

/** Tokens signed by the test key, which the stand-in JWKS publishes as identity would. */
final class Callers {

    static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private Callers() {
    }

    static String user() {
        return TestTokens.user(UUID.randomUUID(), TENANT).sign();
    }

    static String admin() {
        return TestTokens.user(UUID.randomUUID(), TENANT).roles("admin").sign();
    }

    static String apiKey(String... scopes) {
        return TestTokens.user(UUID.randomUUID(), TENANT).apiKey(UUID.randomUUID(), scopes).sign();
    }
}
