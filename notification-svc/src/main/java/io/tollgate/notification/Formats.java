package io.tollgate.notification;

/** How amounts read in notices and mail. */
public final class Formats {

    private Formats() {
    }

    /** Minor units as {@code 25.00 USD}. */
    public static String money(long minor, String currency) {
        return String.format("%d.%02d %s", minor / 100, Math.abs(minor % 100), currency);
    }
}
