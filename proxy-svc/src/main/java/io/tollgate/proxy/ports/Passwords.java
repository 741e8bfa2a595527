package io.tollgate.proxy.ports;

import io.quarkus.runtime.StartupEvent;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.crypto.SealedBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.security.SecureRandom;
import java.util.Optional;

/**
 * Proxy passwords, shown again on every read, so sealed (AES-256-GCM under
 * {@code tollgate.proxy.data-key}, bound to the port's id) rather than hashed. Never logged.
 */
@ApplicationScoped
public class Passwords {

    private static final String KEY = "tollgate.proxy.data-key";
    private static final String DEVELOPMENT_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQtcHJveHktZGF0YS1rZXk=";
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<String> key;
    private volatile SealedBox box;

    public Passwords(@ConfigProperty(name = KEY) Optional<String> key) {
        this.key = key;
    }

    void start(@Observes StartupEvent event) {
        DeploymentSecrets.require(KEY, key.orElse(null), DEVELOPMENT_KEY);
        box();
    }

    private SealedBox box() {
        SealedBox current = box;
        if (current == null) {
            current = new SealedBox(key.orElseThrow(() -> new IllegalStateException(KEY + " is not set")), KEY);
            box = current;
        }
        return current;
    }

    public String seal(String password, String context) {
        return box().seal(password, context);
    }

    public String open(String sealed, String context) {
        return box().open(sealed, context);
    }

    /** A new password: 16 characters without look-alikes. */
    public static String generate() {
        StringBuilder out = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            out.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return out.toString();
    }

    /** Lower-case hex of {@code bytes} random bytes. */
    public static String hex(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        StringBuilder out = new StringBuilder(bytes * 2);
        for (byte b : raw) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }
}
