package io.tollgate.billing.pages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.TenantCreated;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.kit.pages.Brand;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Keeps each tenant's name and branding from identity's tenant events, and answers the page look of a tenant. */
@ApplicationScoped
public class TenantLooks implements EventHandler {

    private static final String UPSERT = """
            insert into tenant_branding (tenant_id, name, branding, updated_at) values ($1, $2, cast(cast($3 as text) as jsonb), now())
            on conflict (tenant_id) do update set name = excluded.name, branding = excluded.branding, updated_at = now()""";
    private static final String SELECT = "select name, branding from tenant_branding where tenant_id = $1";

    private final ObjectMapper json;
    private final Pool pool;

    public TenantLooks(ObjectMapper json, Pool pool) {
        this.json = json;
        this.pool = pool;
    }

    @Override
    public String consumer() {
        return "billing.tenants";
    }

    @Override
    public Set<String> topics() {
        return Set.of("identity.events");
    }

    @Override
    public boolean accepts(String type) {
        return TenantCreated.TYPE.equals(type) || TenantUpdated.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        UUID tenant;
        String name;
        Map<String, Object> branding;
        if (TenantCreated.TYPE.equals(event.type())) {
            TenantCreated t = event.data(json, TenantCreated.class);
            tenant = t.tenantId();
            name = t.name();
            branding = t.branding();
        } else {
            TenantUpdated t = event.data(json, TenantUpdated.class);
            tenant = t.tenantId();
            name = t.name();
            branding = t.branding();
        }
        try {
            return tx.preparedQuery(UPSERT).execute(Tuple.of(tenant, name, json.writeValueAsString(branding == null ? Map.of() : branding)))
                    .replaceWithVoid();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tenant's look on our pages; Tollgate's own for a tenant we have not heard of. */
    public Uni<Brand> brand(UUID tenant) {
        return pool.preparedQuery(SELECT).execute(Tuple.of(tenant)).map(rows -> {
            if (rows.size() == 0) {
                return Brand.defaults();
            }
            Row row = rows.iterator().next();
            return Brand.of(row.getString("name"), row.getJsonObject("branding") == null ? Map.of() : row.getJsonObject("branding").getMap());
        });
    }
}
