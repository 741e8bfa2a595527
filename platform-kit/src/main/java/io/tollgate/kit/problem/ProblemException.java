package io.tollgate.kit.problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one exception business code throws to answer with a problem document. Prefer the
 * factories ({@link #notFound}, {@link #conflict}, ...) so codes stay consistent across services.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    public ProblemException(int status, String code, String title, String detail) {
        this(status, code, title, detail, List.of(), Map.of(), Map.of());
    }

    public ProblemException(int status, String code, String title, String detail, List<Problem.FieldError> errors,
                            Map<String, Object> extensions, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.extensions = new LinkedHashMap<>(extensions);
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, "Bad request", detail);
    }

    public static ProblemException validation(String field, String message) {
        return new ProblemException(400, "VALIDATION_ERROR", "Invalid request", "The request has invalid fields.",
                List.of(new Problem.FieldError(field, message, null)), Map.of(), Map.of());
    }

    public static ProblemException unauthorized(String code, String detail) {
        return new ProblemException(401, code, "Unauthorized", detail);
    }

    public static ProblemException forbidden(String code, String detail) {
        return new ProblemException(403, code, "Forbidden", detail);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "NOT_FOUND", "Not found", what + " was not found.");
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(409, code, "Conflict", detail);
    }

    public static ProblemException unprocessable(String code, String detail) {
        return new ProblemException(422, code, "Unprocessable request", detail);
    }

    public static ProblemException rateLimited(long retryAfterSeconds, String detail) {
        return new ProblemException(429, "RATE_LIMITED", "Too many requests", detail, List.of(),
                Map.of("retry_after", retryAfterSeconds), Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    /** Adds an extension member; a null value leaves the member out (a problem document never carries nulls). */
    public ProblemException with(String member, Object value) {
        if (value == null) {
            extensions.remove(member);
            return this;
        }
        extensions.put(member, value);
        return this;
    }

    /** An extension member set with {@link #with}, or null. */
    public Object extension(String member) {
        return extensions.get(member);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Problem toProblem() {
        return new Problem(Problem.TYPE_BASE + code.toLowerCase().replace('_', '-'), title, status, getMessage(),
                null, code, null, errors.isEmpty() ? null : errors, Map.copyOf(extensions));
    }
}
