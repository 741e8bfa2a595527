package io.tollgate.kit.faults;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places where a test makes the code fail on purpose, to prove what a fault at exactly that
 * step does (a money move whose answer cannot be read, a consumer loop that dies). A point fails
 * only while a test has armed it, and arming needs {@code tollgate.faults.enabled} (on in the
 * {@code test} profile only); elsewhere {@link #check} is one map look-up that finds nothing.
 */
@ApplicationScoped
public class Faults {

    /** The failure a fault point throws. */
    public static final class InjectedFault extends RuntimeException {
        public InjectedFault(String point) {
            super("injected fault at " + point);
        }
    }

    private final boolean enabled;
    private final Map<String, AtomicInteger> armed = new ConcurrentHashMap<>();

    public Faults(@ConfigProperty(name = "tollgate.faults.enabled", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    /** Makes the next {@code times} passes through {@code point} fail. */
    public void failNext(String point, int times) {
        if (!enabled) {
            throw new IllegalStateException("fault injection is off (tollgate.faults.enabled)");
        }
        armed.put(point, new AtomicInteger(times));
    }

    /** Disarms {@code point}; true when it was still armed. */
    public boolean disarm(String point) {
        AtomicInteger left = armed.remove(point);
        return left != null && left.get() > 0;
    }

    /** Throws {@link InjectedFault} when {@code point} is armed, counting the pass. */
    public void check(String point) {
        if (armed.isEmpty()) {
            return;
        }
        AtomicInteger left = armed.get(point);
        if (left != null && left.getAndDecrement() > 0) {
            throw new InjectedFault(point);
        }
    }

    /** {@link #check} as a step of a reactive chain, evaluated when the chain reaches it. */
    public Uni<Void> at(String point) {
        return Uni.createFrom().voidItem().invoke(() -> check(point));
    }
}
