package io.tollgate.identity.tenants;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A tenant (a white-label operator); {@link #from} is the one mapping of its row. */
public record Tenant(UUID id, String slug, String name, String kind, String status, String contactEmail, String contactName,
                     String contactPhone, String billingEmail, String currency, List<String> allowedOrigins,
                     String customDomain, boolean domainVerified, Integer maxUsers, Integer maxStorageGb,
                     Integer monthlyRenderQty, Instant trialEndsAt, Map<String, Object> branding, Instant createdAt,
                     Instant updatedAt) {

    static final String COLUMNS = "id, slug, name, kind, status, contact_email, contact_name, contact_phone, billing_email,"
            + " currency, allowed_origins, custom_domain, domain_verified, max_users, max_storage_gb, monthly_render_qty,"
            + " trial_ends_at, branding, created_at, updated_at";

    static Tenant from(Row row) {
        return new Tenant(row.getUUID("id"), row.getString("slug"), row.getString("name"), row.getString("kind"),
                row.getString("status"), row.getString("contact_email"), row.getString("contact_name"),
                row.getString("contact_phone"), row.getString("billing_email"), row.getString("currency"),
                List.of(row.getArrayOfStrings("allowed_origins")), row.getString("custom_domain"),
                row.getBoolean("domain_verified"), row.getInteger("max_users"), row.getInteger("max_storage_gb"),
                row.getInteger("monthly_render_qty"), instant(row.getOffsetDateTime("trial_ends_at")),
                row.getJsonObject("branding").getMap(), instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("updated_at")));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
