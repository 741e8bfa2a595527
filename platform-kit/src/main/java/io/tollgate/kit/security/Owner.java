package io.tollgate.kit.security;

import java.util.UUID;

/**
 * Whose rows a query may touch: a user within a tenant. Every repository method that reads or
 * changes a user's rows takes one, and every such statement filters by both columns, so scoping is
 * decided once (here) rather than per query. Another user's id simply finds nothing: 404.
 */
public record Owner(UUID userId, UUID tenantId) {

    public Owner {
        if (userId == null || tenantId == null) {
            throw new IllegalArgumentException("an owner needs both a user and a tenant");
        }
    }
}
