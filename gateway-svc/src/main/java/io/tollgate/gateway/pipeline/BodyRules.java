package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.policy.RoutePolicy;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Step 3: a declared body over the route's limit is 413 before a byte of it is read (a chunked one is
 * counted as it streams, by the forwarder), and a body on a JSON route must say it is JSON (415).
 */
@Singleton
public class BodyRules {

    public Optional<Refusal> check(RoutePolicy policy, String contentLength, String transferEncoding, String contentType) {
        long declared;
        try {
            declared = contentLength == null ? -1 : Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return Optional.of(new Refusal(400, "BAD_REQUEST", "Content-Length is not a number."));
        }
        if (policy.maxBodyBytes() > 0 && declared > policy.maxBodyBytes()) {
            return Optional.of(new Refusal(413, "PAYLOAD_TOO_LARGE", "The request body is larger than " + policy.maxBodyBytes()
                    + " bytes.", Map.of("max_bytes", policy.maxBodyBytes())));
        }
        boolean hasBody = declared > 0 || (declared < 0 && transferEncoding != null);
        if (policy.jsonBody() && hasBody && !isJson(contentType)) {
            return Optional.of(new Refusal(415, "UNSUPPORTED_MEDIA_TYPE",
                    "This route takes a JSON body (Content-Type: application/json)."));
        }
        return Optional.empty();
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }
}
