package io.tollgate.identity.tenants;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The {@code tenants} and {@code domain_verifications} tables. */
@ApplicationScoped
public class TenantRepository {

    private static final String SELECT = "select " + Tenant.COLUMNS + " from tenants";
    private static final String RETURNING = " returning " + Tenant.COLUMNS;

    // Null changes keep the column as it is; $13 is the time of the change.
    private static final String UPDATE = """
            update tenants set name = coalesce($2, name), contact_email = coalesce($3, contact_email),
                   contact_name = coalesce($4, contact_name), contact_phone = coalesce($5, contact_phone),
                   billing_email = coalesce($6, billing_email), allowed_origins = coalesce($7, allowed_origins),
                   status = coalesce($8, status), max_users = coalesce($9, max_users),
                   max_storage_gb = coalesce($10, max_storage_gb), monthly_render_qty = coalesce($11, monthly_render_qty),
                   trial_ends_at = coalesce($12, trial_ends_at), updated_at = $13
             where id = $1""" + RETURNING;

    private final Pool pool;

    public TenantRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Tenant> byId(UUID id) {
        return pool.preparedQuery(SELECT + " where id = $1").execute(Tuple.of(id)).map(TenantRepository::first);
    }

    public Uni<Tenant> bySlug(SqlClient client, String slug) {
        return client.preparedQuery(SELECT + " where slug = $1").execute(Tuple.of(slug)).map(TenantRepository::first);
    }

    /** The tenant whose verified custom domain is {@code host} (lower case), or null. */
    public Uni<Tenant> byVerifiedDomain(String host) {
        return pool.preparedQuery(SELECT + " where lower(custom_domain) = $1 and domain_verified limit 1").execute(Tuple.of(host))
                .map(TenantRepository::first);
    }

    /** Every tenant's origins: the gateway's CORS needs them all at once (a short list, one row per tenant). */
    public Uni<List<AllowedOrigins>> allowedOrigins() {
        return pool.preparedQuery("select id, allowed_origins from tenants").execute().map(rows -> {
            List<AllowedOrigins> all = new ArrayList<>();
            rows.forEach(row -> all.add(AllowedOrigins.from(row)));
            return all;
        });
    }

    public Uni<Void> insert(SqlClient client, Tenant t) {
        return client.preparedQuery("insert into tenants (" + Tenant.COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                        + " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)")
                .execute(Tuple.from(new Object[] {t.id(), t.slug(), t.name(), t.kind(), t.status(), t.contactEmail(),
                        t.contactName(), t.contactPhone(), t.billingEmail(), t.currency(), t.allowedOrigins().toArray(String[]::new),
                        t.customDomain(), t.domainVerified(), t.maxUsers(), t.maxStorageGb(), t.monthlyRenderQty(),
                        utc(t.trialEndsAt()), new JsonObject(t.branding()), utc(t.createdAt()), utc(t.updatedAt())}))
                .replaceWithVoid();
    }

    /** Applies the non-null changes; null when there is no such tenant. */
    public Uni<Tenant> update(SqlClient client, UUID id, TenantService.Changes c, Instant now) {
        return client.preparedQuery(UPDATE)
                .execute(Tuple.from(new Object[] {id, c.name() == null ? null : c.name().trim(), c.contactEmail(), c.contactName(),
                        c.contactPhone(), c.billingEmail(), c.allowedOrigins() == null ? null : c.allowedOrigins().toArray(String[]::new),
                        c.status(), c.maxUsers(), c.maxStorageGb(), c.monthlyRenderQty(), utc(c.trialEndsAt()), utc(now)}))
                .map(TenantRepository::first);
    }

    public Uni<Tenant> setBranding(SqlClient client, UUID id, Map<String, Object> branding, Instant now) {
        return client.preparedQuery("update tenants set branding = $2, updated_at = $3 where id = $1" + RETURNING)
                .execute(Tuple.of(id, new JsonObject(branding), utc(now))).map(TenantRepository::first);
    }

    public Uni<Void> insertDomainVerification(UUID tenantId, UUID id, String domain, String token, String challengeRecord,
                                              Instant expiresAt) {
        return pool.preparedQuery("insert into domain_verifications (id, tenant_id, domain, method, token, challenge_record,"
                        + " expires_at) values ($1, $2, $3, 'DNS_TXT', $4, $5, $6)")
                .execute(Tuple.of(id, tenantId, domain, token, challengeRecord, utc(expiresAt))).replaceWithVoid();
    }

    /** A verification of the tenant's, or null. */
    public Uni<DomainVerification> domainVerification(UUID tenantId, UUID id) {
        return pool.preparedQuery("select " + DomainVerification.COLUMNS + " from domain_verifications where id = $1 and tenant_id = $2")
                .execute(Tuple.of(id, tenantId))
                .map(rows -> rows.size() == 0 ? null : DomainVerification.from(rows.iterator().next()));
    }

    /** Makes the verified domain the tenant's custom domain and records when it was proven. */
    public Uni<Tenant> verifyDomain(SqlClient client, DomainVerification verification, Instant now) {
        return client.preparedQuery("update tenants set custom_domain = $2, domain_verified = true, updated_at = $3 where id = $1"
                        + RETURNING)
                .execute(Tuple.of(verification.tenantId(), verification.domain(), utc(now)))
                .call(() -> client.preparedQuery("update domain_verifications set verified_at = $2 where id = $1")
                        .execute(Tuple.of(verification.id(), utc(now))))
                .map(TenantRepository::first);
    }

    private static Tenant first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : Tenant.from(rows.iterator().next());
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
