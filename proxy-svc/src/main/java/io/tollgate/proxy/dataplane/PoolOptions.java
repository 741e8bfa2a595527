package io.tollgate.proxy.dataplane;

import java.time.Duration;
import java.util.Locale;

/**
 * What a pool login asks for, written in its username as the big mobile-proxy providers do:
 * {@code tg_<user>[-country-<cc>][-carrier-<name>][-session-<id>][-sesstime-<minutes>][-strict]}.
 * The carrier is matched by its name in lower case with everything but letters and digits left out
 * ({@code -carrier-tmobile} for T-Mobile); a session id (1 to 32 letters and digits) keeps the same
 * exit for its time (10 min, or up to 1,440 with {@code -sesstime-}) unless it is idle for 60 s;
 * {@code -strict} fails (502) instead of moving to another exit when the session's device is gone.
 */
record PoolOptions(String username, String country, String carrier, String session, Duration sessionTime, boolean strict) {

    static final Duration DEFAULT_SESSION = Duration.ofMinutes(10);
    static final int MAX_SESSION_MINUTES = 1440;

    /** The options of a username, or null when it is not written in this grammar. */
    static PoolOptions parse(String login) {
        if (login == null || login.length() > 200) {
            return null;
        }
        String[] parts = login.split("-", -1);
        String username = parts[0];
        if (!username.matches("tg_[0-9a-f]{32}")) {
            return null;
        }
        String country = null;
        String carrier = null;
        String session = null;
        Duration time = null;
        boolean strict = false;
        int i = 1;
        while (i < parts.length) {
            String key = parts[i].toLowerCase(Locale.ROOT);
            if (key.equals("strict")) {
                if (strict) {
                    return null;
                }
                strict = true;
                i++;
                continue;
            }
            if (i + 1 >= parts.length) {
                return null;
            }
            String value = parts[i + 1];
            switch (key) {
                case "country" -> {
                    if (country != null || !value.matches("[A-Za-z]{2}")) {
                        return null;
                    }
                    country = value.toUpperCase(Locale.ROOT);
                }
                case "carrier" -> {
                    if (carrier != null || !value.matches("[A-Za-z0-9]{1,40}")) {
                        return null;
                    }
                    carrier = value.toLowerCase(Locale.ROOT);
                }
                case "session" -> {
                    if (session != null || !value.matches("[A-Za-z0-9]{1,32}")) {
                        return null;
                    }
                    session = value;
                }
                case "sesstime" -> {
                    if (time != null || !value.matches("[0-9]{1,4}")) {
                        return null;
                    }
                    int minutes = Integer.parseInt(value);
                    if (minutes < 1 || minutes > MAX_SESSION_MINUTES) {
                        return null;
                    }
                    time = Duration.ofMinutes(minutes);
                }
                default -> {
                    return null;
                }
            }
            i += 2;
        }
        return new PoolOptions(username, country, carrier, session, time == null ? DEFAULT_SESSION : time, strict);
    }

    /** A carrier's name as an option writes it. */
    static String carrierKey(String name) {
        return name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
