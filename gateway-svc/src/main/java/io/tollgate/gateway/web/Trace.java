package io.tollgate.gateway.web;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * W3C trace context: the caller's {@code traceparent} is continued with a new span id for the
 * gateway's hop, or a new trace is started when there is none (or it is malformed).
 */
public record Trace(String traceId, String traceparent) {

    private static final Pattern TRACEPARENT = Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    public static Trace continueOrStart(String header) {
        String traceId = null;
        String flags = "01";
        if (header != null) {
            var m = TRACEPARENT.matcher(header.trim());
            if (m.matches() && !ZERO_TRACE.equals(m.group(1)) && !ZERO_SPAN.equals(m.group(2))) {
                traceId = m.group(1);
                flags = m.group(3);
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (traceId == null) {
            traceId = HexFormat.of().toHexDigits(random.nextLong() | 1L) + HexFormat.of().toHexDigits(random.nextLong());
        }
        String span = HexFormat.of().toHexDigits(random.nextLong() | 1L);
        return new Trace(traceId, "00-" + traceId + "-" + span + "-" + flags);
    }
}
