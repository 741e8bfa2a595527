package io.tollgate.identity.tenants;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A pending or finished DNS TXT proof of a custom domain; {@link #from} is the one mapping of its row. */
public record DomainVerification(UUID id, UUID tenantId, String domain, String token, String challengeRecord,
                                 Instant expiresAt, Instant verifiedAt) {

    static final String COLUMNS = "id, tenant_id, domain, token, challenge_record, expires_at, verified_at";

    static DomainVerification from(Row row) {
        OffsetDateTime verified = row.getOffsetDateTime("verified_at");
        return new DomainVerification(row.getUUID("id"), row.getUUID("tenant_id"), row.getString("domain"), row.getString("token"),
                row.getString("challenge_record"), row.getOffsetDateTime("expires_at").toInstant(),
                verified == null ? null : verified.toInstant());
    }
}
