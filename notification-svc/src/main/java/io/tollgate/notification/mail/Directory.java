package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.EmailVerified;
import io.tollgate.contracts.identity.TenantCreated;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.contracts.identity.UserRegistered;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Keeps who to mail (address, name) and each tenant's mail branding, from identity's events. */
@ApplicationScoped
public class Directory implements EventHandler {

    private static final String UPSERT_USER = """
            insert into mail_recipients (user_id, tenant_id, email, full_name, locale, updated_at) values ($1, $2, $3, $4, $5, now())
            on conflict (user_id) do update set email = excluded.email, full_name = coalesce(excluded.full_name, mail_recipients.full_name),
                locale = coalesce(excluded.locale, mail_recipients.locale), updated_at = now()""";
    private static final String UPSERT_TENANT = """
            insert into tenant_branding (tenant_id, name, branding, updated_at) values ($1, $2, cast(cast($3 as text) as jsonb), now())
            on conflict (tenant_id) do update set name = excluded.name, branding = excluded.branding, updated_at = now()""";

    private final ObjectMapper json;

    public Directory(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String consumer() {
        return "notification.directory";
    }

    @Override
    public Set<String> topics() {
        return Set.of("identity.events");
    }

    @Override
    public boolean accepts(String type) {
        return Set.of(UserRegistered.TYPE, EmailVerified.TYPE, TenantCreated.TYPE, TenantUpdated.TYPE).contains(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        return switch (event.type()) {
            case UserRegistered.TYPE -> {
                UserRegistered u = event.data(json, UserRegistered.class);
                yield user(tx, u.userId(), u.tenantId(), u.email(), u.fullName(), u.locale());
            }
            case EmailVerified.TYPE -> {
                EmailVerified v = event.data(json, EmailVerified.class);
                yield user(tx, v.userId(), v.tenantId(), v.email(), v.fullName(), null);
            }
            case TenantCreated.TYPE -> {
                TenantCreated t = event.data(json, TenantCreated.class);
                yield tenant(tx, t.tenantId(), t.name(), t.branding());
            }
            default -> {
                TenantUpdated t = event.data(json, TenantUpdated.class);
                yield tenant(tx, t.tenantId(), t.name(), t.branding());
            }
        };
    }

    private Uni<Void> user(SqlConnection tx, UUID user, UUID tenant, String email, String name, String locale) {
        return tx.preparedQuery(UPSERT_USER).execute(Tuple.of(user, tenant, email, name, locale)).replaceWithVoid();
    }

    private Uni<Void> tenant(SqlConnection tx, UUID tenant, String name, Map<String, Object> branding) {
        String brandingJson;
        try {
            brandingJson = json.writeValueAsString(branding == null ? Map.of() : branding);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tx.preparedQuery(UPSERT_TENANT).execute(Tuple.of(tenant, name, brandingJson)).replaceWithVoid();
    }
}
