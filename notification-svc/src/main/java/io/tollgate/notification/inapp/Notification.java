package io.tollgate.notification.inapp;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A message for one user in the console's bell. */
@Entity
@Table(name = "notifications")
public class Notification extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "tenant_id")
    public UUID tenantId;

    public String category;

    public String severity;

    public String title;

    public String body;

    @Column(name = "action_url")
    public String actionUrl;

    @Column(name = "action_label")
    public String actionLabel;

    @Column(name = "source_event")
    public String sourceEvent;

    @Column(name = "read_at")
    public Instant readAt;

    @Column(name = "created_at")
    public Instant createdAt;
}
