package io.tollgate.kit.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem document: {@code type}, {@code title}, {@code status}, {@code detail},
 * {@code instance}, plus our {@code code} (UPPER_SNAKE), {@code request_id}, {@code errors[]} for
 * validation failures and free extension members (e.g. {@code required}/{@code available}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @JsonProperty("type") String type,
        @JsonProperty("title") String title,
        @JsonProperty("status") int status,
        @JsonProperty("detail") String detail,
        @JsonProperty("instance") String instance,
        @JsonProperty("code") String code,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("errors") List<FieldError> errors,
        @JsonAnyGetter Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://tollgate.io/problems/";

    /** One invalid input: a JSON path such as {@code items[2].amount_minor} and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(@JsonProperty("field") String field, @JsonProperty("message") String message,
                             @JsonProperty("code") String code) {
    }

    public Problem withRequest(String instancePath, String id) {
        return new Problem(type, title, status, detail, instancePath, code, id, errors, extensions);
    }
}
