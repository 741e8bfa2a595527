package io.tollgate.gateway.pipeline;

import java.util.Map;

/** A step's answer instead of the upstream's: status, problem code, detail and extension members. */
public record Refusal(int status, String code, String detail, Map<String, Object> extensions) {

    public Refusal(int status, String code, String detail) {
        this(status, code, detail, Map.of());
    }
}
