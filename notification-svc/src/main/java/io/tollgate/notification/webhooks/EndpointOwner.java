package io.tollgate.notification.webhooks;

import io.tollgate.kit.security.Principal;

import java.util.UUID;

/**
 * Whose endpoints a caller may see and change: their own, and (for tenant administrators) the
 * tenant's, which receive the events of every user of the tenant. Every endpoint statement filters
 * by it, so another owner's endpoint does not exist for the caller (404).
 */
public record EndpointOwner(UUID tenantId, UUID userId, boolean tenantAdmin) {

    static EndpointOwner of(Principal caller) {
        return new EndpointOwner(caller.tenantId(), caller.userUuid(), caller.hasRole("tenant_admin") || caller.hasRole("admin"));
    }
}
