package io.tollgate.notification;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** How amounts, moments and proxy ports read in notices and mail. */
public final class Formats {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private Formats() {
    }

    /** Minor units as {@code 25.00 USD}. */
    public static String money(long minor, String currency) {
        return String.format("%d.%02d %s", minor / 100, Math.abs(minor % 100), currency);
    }

    /** Bytes as {@code 0.85 GB} (decimal gigabytes, as traffic is sold). */
    public static String gigabytes(long bytes) {
        return String.format("%.2f GB", bytes / 1e9);
    }

    /** A moment as {@code 2 Dec 2026, 14:05 UTC}. */
    public static String date(Instant at) {
        return DATE.format(at);
    }

    /** Why billing refused a port's renewal, in words: the balance and the price, or billing's code. */
    public static String renewalRefusal(String reason, Long requiredMinor, Long availableMinor, String currency) {
        if ("INSUFFICIENT_BALANCE".equals(reason) && requiredMinor != null && availableMinor != null) {
            // billing's 402 names no currency: the amounts are then shown in the wallet's units alone
            return "your balance (" + (currency == null ? money(availableMinor, "").trim() : money(availableMinor, currency))
                    + " available) does not cover it (" + (currency == null ? money(requiredMinor, "").trim() : money(requiredMinor, currency)) + ")";
        }
        return "billing refused the charge (" + reason + ")";
    }

    /** A port's kind as users read it: {@code private} or {@code shared}. */
    public static String portKind(boolean isPrivate) {
        return isPrivate ? "private" : "shared";
    }

    /**
     * The one notice or mail of a suspension or resumption. proxy-svc announces it port by port
     * ({@code port.suspended} / {@code port.unsuspended} each, all with the moment of billing's
     * word); the user hears of it once per kind and moment, so fifty ports make one notice.
     */
    public static String portsChanged(String what, UUID userId, boolean isPrivate, Instant occurredAt) {
        return "ports-" + what + ":" + userId + ":" + portKind(isPrivate) + ":" + occurredAt;
    }
}
