package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.routing.RouteTable;
import io.tollgate.kit.web.RequestPaths;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Step 1, before anything matches a path: the target and headers are of a sane size, and the path
 * is read one way only (dot segments removed; encoded slashes, backslashes, NUL, {@code ;} and climbs
 * above the root refused). Our services' own {@code /internal} and {@code /q} paths are never served
 * from the public door, in any spelling.
 */
@Singleton
public class DoorGuard {

    static final int MAX_TARGET = 8 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final Pattern SANE_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

    /** The path to match and forward, or why the request is refused. */
    public record Reading(String path, Refusal refusal) {
    }

    private final RouteTable table;

    public DoorGuard(RouteTable table) {
        this.table = table;
    }

    /** The caller's request id when it is sane, else null (the caller makes one). */
    public static String saneRequestId(String given) {
        return given != null && SANE_ID.matcher(given).matches() ? given : null;
    }

    public Reading read(String target, String rawPath, String rawQuery, Iterable<Map.Entry<String, String>> headers) {
        if (target.length() > MAX_TARGET) {
            return refused(new Refusal(414, "URI_TOO_LONG", "The request target is longer than " + MAX_TARGET + " characters.",
                    Map.of("max_length", MAX_TARGET)));
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> header : headers) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headerBytes > MAX_HEADER_BYTES) {
            return refused(new Refusal(431, "HEADERS_TOO_LARGE", "The request headers are larger than " + MAX_HEADER_BYTES
                    + " bytes.", Map.of("max_bytes", MAX_HEADER_BYTES)));
        }
        RequestPaths.Normal normal = RequestPaths.normalise(rawPath);
        if (normal.refused()) {
            return refused(new Refusal(400, "INVALID_PATH", normal.refusal()));
        }
        if (RequestPaths.queryHasControl(rawQuery)) {
            return refused(new Refusal(400, "INVALID_PATH", "The query has a NUL or another control character."));
        }
        String path = normal.path();
        if (internal(path) || (normal.changed() && table.match(path).isEmpty())) {
            return refused(new Refusal(404, "NOT_FOUND", "No resource matches this path."));
        }
        return new Reading(path, null);
    }

    private static Reading refused(Refusal refusal) {
        return new Reading(null, refusal);
    }

    private static boolean internal(String path) {
        for (String prefix : List.of("/internal", "/q")) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }
}
