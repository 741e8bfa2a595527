package io.tollgate.identity.crypto;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.concurrent.Offload;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Argon2id at m=19 MiB, t=2, p=1 (the OWASP baseline) in the PHC string format, computed by the
 * reference C implementation (argon2-jvm): its memory is native, so hashing puts no load on the
 * garbage collector, and it is faster than a pure-Java port. One hash per core at a time.
 */
@ApplicationScoped
public class PasswordHasher {

    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;

    private final Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id, 16, 32);
    private final ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
            Thread.ofPlatform().name("argon2-", 0).daemon().factory());
    private final Timer timer;
    // A real hash of a random password, checked when the account does not exist so timing reveals nothing.
    private final String decoy;

    public PasswordHasher(MeterRegistry registry) {
        this.timer = Timer.builder("tollgate.identity.argon2").description("Argon2id hash or check, on its own thread")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.decoy = hash("decoy-" + System.nanoTime());
    }

    public Uni<String> hashAsync(String password) {
        return Offload.compute(() -> timer.recordCallable(() -> hash(password)), pool);
    }

    /** Checks {@code password} against {@code encoded}, or against a decoy when there is no account. */
    public Uni<Boolean> verifyAsync(String password, String encoded) {
        return Offload.compute(() -> timer.recordCallable(() -> {
            if (encoded == null) {
                verify(password, decoy);
                return false;
            }
            return verify(password, encoded);
        }), pool);
    }

    public String hash(String password) {
        char[] chars = password.toCharArray();
        try {
            return argon2.hash(ITERATIONS, MEMORY_KIB, PARALLELISM, chars);
        } finally {
            argon2.wipeArray(chars);
        }
    }

    public boolean verify(String password, String encoded) {
        if (encoded == null || !encoded.startsWith("$argon2id$")) {
            return false;
        }
        char[] chars = password.toCharArray();
        try {
            return argon2.verify(encoded, chars);
        } finally {
            argon2.wipeArray(chars);
        }
    }
}
