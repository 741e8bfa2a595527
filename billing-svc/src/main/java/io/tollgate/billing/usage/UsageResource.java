package io.tollgate.billing.usage;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the money went on, per UTC day: captured holds by product (the service that held) and API
 * key, proxy purchases, and the proxy traffic metered. Administrators see the top spenders.
 */
@Path("/v1/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Usage")
public class UsageResource {

    static final int MAX_DAYS = 366;

    public record SpendDay(LocalDate date, String product, String modelId, UUID apiKeyId, String currency, long amountMinor, long count) {
    }

    public record TrafficDay(LocalDate date, boolean isPrivate, long bytes, long windows) {
    }

    public record Usage(LocalDate from, LocalDate to, Map<String, Long> totalMinor, List<SpendDay> spend, List<TrafficDay> traffic) {
    }

    // captured holds (render jobs and other metered services) and proxy purchases, in one list
    private static final String SPEND = """
            select day, product, model_id, api_key_id, currency, sum(amount) as amount, count(*) as n from (
                select (resolved_at at time zone 'UTC')::date as day, service as product, model_id, api_key_id, currency,
                       captured_minor as amount
                from holds where user_id = $1 and status in ('captured', 'partially_captured') and captured_minor > 0
                  and resolved_at >= $2 and resolved_at < $3
                union all
                select (created_at at time zone 'UTC')::date, 'proxy', null, null, currency, total_minor
                from purchases where user_id = $1 and charged and created_at >= $2 and created_at < $3
            ) s group by day, product, model_id, api_key_id, currency order by day, product, model_id, api_key_id""";

    private static final String TRAFFIC = """
            select day, is_private, bytes, windows from traffic_usage_daily
            where user_id = $1 and day >= $2 and day < $3 order by day, is_private""";


    private final CurrentPrincipal principal;
    private final Pool pool;
    private final Clock clock;

    public UsageResource(CurrentPrincipal principal, Pool pool, Clock clock) {
        this.principal = principal;
        this.pool = pool;
        this.clock = clock;
    }

    @GET
    @Path("/usage")
    @Operation(summary = "Spend per UTC day by product, model and API key, with totals, and proxy traffic per day; from/to are dates "
            + "(default the last 30 days, at most 366)")
    public Uni<Usage> usage(@QueryParam("from") String from, @QueryParam("to") String to) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate end = date("to", to, today);
        LocalDate start = date("from", from, end.minusDays(29));
        if (start.isAfter(end)) {
            throw ProblemException.validation("from", "must not be after to");
        }
        if (start.plusDays(MAX_DAYS).isBefore(end.plusDays(1))) {
            throw ProblemException.validation("from", "the range is at most " + MAX_DAYS + " days");
        }
        var lower = start.atStartOfDay().atOffset(ZoneOffset.UTC);
        var upper = end.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        return pool.preparedQuery(SPEND).execute(Tuple.of(caller.userUuid(), lower, upper))
                .chain(spendRows -> pool.preparedQuery(TRAFFIC).execute(Tuple.of(caller.userUuid(), start, end.plusDays(1)))
                        .map(trafficRows -> {
                            List<SpendDay> spend = new ArrayList<>();
                            Map<String, Long> totals = new java.util.TreeMap<>();
                            for (Row r : spendRows) {
                                SpendDay d = new SpendDay(r.getLocalDate("day"), r.getString("product"), r.getString("model_id"),
                                        r.getUUID("api_key_id"),
                                        r.getString("currency").trim(), r.getLong("amount"), r.getLong("n"));
                                spend.add(d);
                                totals.merge(d.currency(), d.amountMinor(), Long::sum);
                            }
                            List<TrafficDay> traffic = new ArrayList<>();
                            for (Row r : trafficRows) {
                                traffic.add(new TrafficDay(r.getLocalDate("day"), r.getBoolean("is_private"), r.getLong("bytes"),
                                        r.getInteger("windows")));
                            }
                            return new Usage(start, end, totals, spend, traffic);
                        }));
    }

    private static LocalDate date(String field, String value, LocalDate fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.validation(field, "must be a date like 2026-11-22");
        }
    }
}
