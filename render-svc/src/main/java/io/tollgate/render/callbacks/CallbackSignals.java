package io.tollgate.render.callbacks;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Verified callbacks reach the worker waiting on that provider request, on whichever instance it
 * runs: the instance that received the callback notifies {@value #CHANNEL} (PostgreSQL's
 * LISTEN/NOTIFY, sent when the callback's row update commits) and every instance listens on one
 * connection of its own. A signal only wakes the worker early; the worker then asks the provider
 * itself, so a lost notification costs at most one poll interval and a repeated one nothing.
 */
@ApplicationScoped
public class CallbackSignals {

    static final String CHANNEL = "render_provider_callbacks";
    private static final Logger LOG = Logger.getLogger(CallbackSignals.class);

    /** A worker's registration for one provider request: callbacks that arrive while it is open wake {@link #await}. */
    public final class Waiter implements AutoCloseable {
        private final String requestId;
        private final Semaphore signals = new Semaphore(0);

        private Waiter(String requestId) {
            this.requestId = requestId;
        }

        /** Sleeps up to {@code max}; true when a callback for the request arrived (since the last wait) before that. */
        public boolean await(Duration max) throws InterruptedException {
            boolean signalled = signals.tryAcquire(max.toMillis(), TimeUnit.MILLISECONDS);
            signals.drainPermits();
            return signalled;
        }

        @Override
        public void close() {
            waiters.remove(requestId, this);
        }
    }

    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private final String url;
    private final String user;
    private final String password;
    private volatile boolean running;

    public CallbackSignals(@ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                           @ConfigProperty(name = "quarkus.datasource.username") String user,
                           @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Registers the calling worker for callbacks about {@code requestId} until the waiter is closed. */
    public Waiter register(String requestId) {
        Waiter waiter = new Waiter(requestId);
        waiters.put(requestId, waiter);
        return waiter;
    }

    /** Wakes a waiter on this instance (the listener calls it for every notification). */
    void signal(String requestId) {
        Waiter waiter = waiters.get(requestId);
        if (waiter != null) {
            waiter.signals.release();
        }
    }

    void start(@Observes StartupEvent event) {
        running = true;
        Thread.ofPlatform().name("render-callback-signals").daemon().start(this::listen);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
    }

    private void listen() {
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, user, password); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1_000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            signal(n.getParameter());
                        }
                    }
                }
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("callback signals unavailable, retrying: %s", e.toString());
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
