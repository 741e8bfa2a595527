package io.tollgate.identity.auth;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One sign-in attempt, successful or not. */
@Entity
@Table(name = "login_history")
public class LoginRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "user_id")
    public UUID userId;
    public String email;
    public boolean success;
    @Column(name = "error_code")
    public String errorCode;
    @Column(name = "ip_address")
    public String ipAddress;
    @Column(name = "user_agent")
    public String userAgent;
    @Column(name = "created_at")
    public Instant createdAt;

    public static LoginRecord of(UUID tenantId, UUID userId, String email, boolean success, String errorCode, ClientInfo client,
                                 Instant at) {
        LoginRecord record = new LoginRecord();
        record.tenantId = tenantId;
        record.userId = userId;
        record.email = email.length() > 254 ? email.substring(0, 254) : email;
        record.success = success;
        record.errorCode = errorCode;
        record.ipAddress = client.ip();
        record.userAgent = client.userAgent();
        record.createdAt = at;
        return record;
    }
}
