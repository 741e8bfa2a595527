package io.tollgate.identity.tenants;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@Entity
@Table(name = "tenants")
public class Tenant extends PanacheEntityBase {

    public static final UUID DEFAULT_ID = UUID.fromString("00000000-0000-4000-8000-000000000001");

    @Id
    public UUID id;
    public String slug;
    public String name;
    public String kind;
    public String status;
    @Column(name = "contact_email")
    public String contactEmail;
    @Column(name = "contact_name")
    public String contactName;
    @Column(name = "contact_phone")
    public String contactPhone;
    @Column(name = "billing_email")
    public String billingEmail;
    public String currency;
    @Column(name = "allowed_origins")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> allowedOrigins;
    @Column(name = "custom_domain")
    public String customDomain;
    @Column(name = "domain_verified")
    public boolean domainVerified;
    @Column(name = "max_users")
    public Integer maxUsers;
    @Column(name = "max_storage_gb")
    public Integer maxStorageGb;
    @Column(name = "monthly_render_qty")
    public Integer monthlyRenderQty;
    @Column(name = "trial_ends_at")
    public Instant trialEndsAt;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> branding;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public static Uni<Tenant> bySlug(String slug) {
        return find("slug", slug).firstResult();
    }
}
