package io.tollgate.kit.crypto;

import io.tollgate.kit.config.DeploymentSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Secrets that one service must hand to exactly one other through an event (identity's single-use
 * verification and reset links, for notification to mail) travel sealed: AES-256-GCM under
 * {@code tollgate.events.seal-key}, which only the producer and that consumer are given, bound to
 * the event's type and subject. The outbox (kept for days) and the topic (read by the gateway and
 * every service) then hold only ciphertext.
 */
@ApplicationScoped
public class EventSeal {

    private final Optional<String> key;
    private volatile SealedBox box;

    public EventSeal(@ConfigProperty(name = "tollgate.events.seal-key") Optional<String> key) {
        this.key = key;
    }

    public String seal(String plain, String type, String subject) {
        return box().seal(plain, type + "|" + subject);
    }

    public String open(String sealed, String type, String subject) {
        return box().open(sealed, type + "|" + subject);
    }

    /** Fails now, at start, rather than at the first event, when the key is missing or a development one. */
    public void requireConfigured() {
        box();
    }

    private SealedBox box() {
        SealedBox current = box;
        if (current == null) {
            String value = key.orElseThrow(() -> new IllegalStateException(
                    "tollgate.events.seal-key is not set (TOLLGATE_EVENTS_SEAL_KEY, 32 bytes base64)"));
            DeploymentSecrets.require("tollgate.events.seal-key", value, DEVELOPMENT_KEY);
            current = new SealedBox(value, "tollgate.events.seal-key");
            box = current;
        }
        return current;
    }

    /** The local and test profiles' key; refused anywhere else. */
    public static final String DEVELOPMENT_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQtZXZlbnQtc2VhbC1rZXk=";
}
