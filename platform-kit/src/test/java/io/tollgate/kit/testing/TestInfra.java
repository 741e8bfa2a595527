package io.tollgate.kit.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.util.Locale;

/**
 * Where a test JVM finds PostgreSQL, Redis and Kafka. {@code TOLLGATE_INFRA=containers} (set by
 * {@code ./tollgate test --infra=containers}) starts them once per JVM as containers from the locally
 * built images ({@link ContainerServers}) before the first test, and points every service under test at
 * them through the {@code tollgate.pg.*}, {@code tollgate.redis.*} and {@code tollgate.kafka.*}
 * properties; anything else leaves the local servers of {@code deploy/local} in charge. Registered
 * through {@code META-INF/services}, so a module gets it with the kit's test-jar.
 */
public final class TestInfra implements LauncherSessionListener {

    public enum Mode { LOCAL, CONTAINERS }

    public static Mode mode() {
        String value = System.getProperty("tollgate.infra", System.getenv().getOrDefault("TOLLGATE_INFRA", "local"));
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "containers" -> Mode.CONTAINERS;
            case "local", "" -> Mode.LOCAL;
            default -> throw new IllegalStateException("TOLLGATE_INFRA must be local or containers, not " + value);
        };
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (mode() == Mode.CONTAINERS) {
            ContainerServers.startOnce();
        }
    }
}
