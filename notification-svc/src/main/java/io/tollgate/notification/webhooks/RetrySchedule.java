package io.tollgate.notification.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first,
 * second, ... seventh failure, each with +-10 % jitter so a recovering receiver is not hit by a
 * thundering herd; the eighth failure is final. A receiver's {@code Retry-After} can push the next
 * attempt later (never sooner, and at most a day out).
 */
public final class RetrySchedule {

    public static final List<Duration> DELAYS = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
    public static final int MAX_ATTEMPTS = DELAYS.size() + 1;
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private RetrySchedule() {
    }

    /** The next attempt after {@code failedAttempt} (1-based) failed at {@code now}, or empty when it was the last. */
    public static Optional<Instant> next(int failedAttempt, Instant now, Optional<Duration> retryAfter, RandomGenerator random) {
        if (failedAttempt >= MAX_ATTEMPTS) {
            return Optional.empty();
        }
        Duration base = DELAYS.get(failedAttempt - 1);
        long jitter = (long) (base.toMillis() * 0.1 * (random.nextDouble() * 2 - 1));
        Duration delay = base.plusMillis(jitter);
        if (retryAfter.isPresent()) {
            Duration asked = retryAfter.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter.get();
            if (asked.compareTo(delay) > 0) {
                delay = asked;
            }
        }
        return Optional.of(now.plus(delay));
    }

    /** {@code Retry-After} as seconds or an HTTP date; anything else is ignored. */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Optional.of(Duration.between(now, at)) : Optional.empty();
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
