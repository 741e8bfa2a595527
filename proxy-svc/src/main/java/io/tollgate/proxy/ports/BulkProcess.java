package io.tollgate.proxy.ports;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * A process row: what was asked ({@code request}), how far it got, each port made ({@code ports}:
 * {@code {index, id, name, http_port, socks_port, device_id}}) and each item that was not
 * ({@code errors}: {@code {index, code, error}}).
 */
public record BulkProcess(UUID id, UUID userId, UUID tenantId, String type, String status, String message, JsonObject request,
                          JsonObject metadata, int total, int completed, int failed, JsonArray ports, JsonArray errors, Instant startedAt,
                          Instant finishedAt, Instant updatedAt) {

    public static final String PORT_CREATION = "port_creation";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    /** Items handled, in percent of the total. */
    public int progress() {
        return (completed + failed) * 100 / total;
    }
}
