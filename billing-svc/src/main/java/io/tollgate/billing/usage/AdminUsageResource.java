package io.tollgate.billing.usage;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Platform administrators: who spends most. */
@Path("/v1/admin/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin")
public class AdminUsageResource {

    static final Map<String, Duration> WINDOWS = Map.of("24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30),
            "90d", Duration.ofDays(90));

    public record Consumer(UUID userId, UUID tenantId, String currency, long amountMinor, long count) {
    }

    public record TopConsumers(String window, List<Consumer> data) {
    }

    private static final String TOP = """
            select user_id, tenant_id, currency, sum(amount) as amount, count(*) as n from (
                select user_id, tenant_id, currency, captured_minor as amount from holds
                where status in ('captured', 'partially_captured') and captured_minor > 0 and resolved_at >= $1
                union all
                select user_id, tenant_id, currency, total_minor from purchases where charged and created_at >= $1
            ) s group by user_id, tenant_id, currency order by amount desc, user_id limit $2""";


    private final CurrentPrincipal principal;
    private final Pool pool;
    private final Clock clock;

    public AdminUsageResource(CurrentPrincipal principal, Pool pool, Clock clock) {
        this.principal = principal;
        this.pool = pool;
        this.clock = clock;
    }

    @GET
    @Path("/usage/top-users")
    @Operation(summary = "The users who spent most in the window (24h, 7d, 30d, 90d), captured holds and purchases together")
    public Uni<TopConsumers> top(@QueryParam("window") String window, @QueryParam("limit") Integer limit) {
        principal.get().requirePlatformAdmin();
        String w = window == null ? "7d" : window;
        Duration span = WINDOWS.get(w);
        if (span == null) {
            throw ProblemException.validation("window", "must be one of 24h, 7d, 30d, 90d");
        }
        int n = limit == null ? 10 : limit;
        if (n < 1 || n > 100) {
            throw ProblemException.validation("limit", "must be between 1 and 100");
        }
        return pool.preparedQuery(TOP).execute(Tuple.of(clock.instant().minus(span).atOffset(ZoneOffset.UTC), n))
                .map(rows -> {
                    List<Consumer> data = new ArrayList<>();
                    for (Row r : rows) {
                        data.add(new Consumer(r.getUUID("user_id"), r.getUUID("tenant_id"), r.getString("currency").trim(), r.getLong("amount"),
                                r.getLong("n")));
                    }
                    return new TopConsumers(w, data);
                });
    }
}
