package io.tollgate.gateway.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The access-log line keeps its shape now that it is put together without a format string. */
class AccessLineTest {

    @Test
    void one_line_with_the_duration_in_tenths_of_a_millisecond() {
        assertEquals("GET /v1/jobs/job_1 200 1.2ms upstream=render request_id=r-1 trace_id=t-1",
                GatewayHandler.accessLine("GET", "/v1/jobs/job_1", 200, 1_234_567, "render", "r-1", "t-1"));
        assertEquals("POST /v1/auth/login 429 0.0ms upstream=identity request_id=r-2 trace_id=t-2",
                GatewayHandler.accessLine("POST", "/v1/auth/login", 429, 40_000, "identity", "r-2", "t-2"));
        assertEquals("GET / 200 12.0ms upstream=identity request_id=r-3 trace_id=t-3",
                GatewayHandler.accessLine("GET", "/", 200, 11_960_000, "identity", "r-3", "t-3"));
    }
}
