package io.tollgate.identity.tenants;

import io.vertx.mutiny.sqlclient.Row;

import java.util.List;
import java.util.UUID;

/** The browser origins one tenant allows; {@link #from} is the one mapping of its row. */
public record AllowedOrigins(UUID tenantId, List<String> origins) {

    static AllowedOrigins from(Row row) {
        return new AllowedOrigins(row.getUUID("id"), List.of(row.getArrayOfStrings("allowed_origins")));
    }
}
