package io.tollgate.kit.inbox;

import io.vertx.pgclient.PgException;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Tells a failure that says nothing about the event (the database is gone or busy, a connection
 * broke, a lock or serialisation conflict) from one the event itself causes. A consumer retries
 * the first kind for as long as it lasts and counts only the second towards its bound, so an
 * outage never sends good events to the dead letters.
 */
public final class Failures {

    private Failures() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState() == null ? "" : pg.getSqlState();
                // 08 connection, 53 insufficient resources, 57 operator intervention (shutdown),
                // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available
                return state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                        || state.equals("40001") || state.equals("40P01") || state.equals("55P03");
            }
            if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof TimeoutException
                    || t instanceof java.net.SocketException) {
                return true;
            }
            String name = t.getClass().getName();
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (name.startsWith("io.vertx.") && (name.contains("Connection") || name.contains("Closed")
                    || message.contains("connection") || message.contains("timeout") || message.contains("timed out"))) {
                return true;
            }
            if (name.startsWith("io.netty.") && (name.contains("Connect") || name.contains("Channel"))) {
                return true;
            }
        }
        return false;
    }

    /** The failure in one line for an operator: its class and message, and its causes'. */
    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 4; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (depth > 0) {
                text.append("; caused by ");
            }
            text.append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return text.length() <= 2000 ? text.toString() : text.substring(0, 2000);
    }
}
