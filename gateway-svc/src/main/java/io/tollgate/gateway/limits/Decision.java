package io.tollgate.gateway.limits;

import java.util.List;

/**
 * The outcome of one rate-limit check, with what the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} headers report for each bucket.
 */
public record Decision(boolean admitted, long retryAfterSeconds, List<Limit> limits, long[] remaining, long[] resetMs) {

    public static final Decision UNLIMITED = new Decision(true, 0, List.of(), new long[0], new long[0]);

    /** {@code "general";q=200;w=60, "key";q=100;w=60} */
    public String policyHeader() {
        StringBuilder b = new StringBuilder();
        for (Limit l : limits) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append('"').append(l.policy()).append("\";q=").append(l.limit()).append(";w=").append(l.periodMs() / 1000);
        }
        return b.toString();
    }

    /** {@code "general";r=199;t=1, "key";r=99;t=1}: remaining requests and seconds until the bucket is full again. */
    public String stateHeader() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < limits.size(); i++) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append('"').append(limits.get(i).policy()).append("\";r=").append(remaining[i])
                    .append(";t=").append((resetMs[i] + 999) / 1000);
        }
        return b.toString();
    }
}
