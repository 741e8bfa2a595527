package io.tollgate.kit.probe;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

/** A tiny application the platform-kit tests drive, using the kit the way a service does. */
@Path("/probe")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    public record NewRecord(@NotBlank @Size(max = 80) String name, @NotNull @Min(0) Long amountMinor,
                            List<@Valid Line> lines) {
    }

    public record Line(@NotBlank String sku, @Min(1) int quantity) {
    }

    public record Created(UUID id, String name, long amountMinor) {
    }

    private final Outbox outbox;
    private final Idempotency idempotency;
    private final CurrentPrincipal principal;
    private final Pool pool;

    public ProbeResource(Outbox outbox, Idempotency idempotency, CurrentPrincipal principal, Pool pool) {
        this.outbox = outbox;
        this.idempotency = idempotency;
        this.principal = principal;
        this.pool = pool;
    }

    @POST
    @Path("/records")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@Valid @NotNull NewRecord body,
                                @HeaderParam(Idempotency.HEADER) String key,
                                @QueryParam("delay_ms") @Min(0) int delayMs,
                                @QueryParam("answer") @Min(0) int answer) {
        return idempotency.execute("probe", key, "POST", "/probe/records", body, tx -> {
            UUID id = UUID.randomUUID();
            return tx.preparedQuery("insert into probe_records (id, name, amount_minor) values ($1, $2, $3)")
                    .execute(Tuple.of(id, body.name(), body.amountMinor()))
                    .chain(() -> outbox.append(tx, id.toString(), "records/" + id,
                            new ProbeRecorded(id, body.name(), body.amountMinor())))
                    .chain(() -> delayMs > 0 ? Uni.createFrom().voidItem().onItem().delayIt()
                            .by(Duration.ofMillis(delayMs)) : Uni.createFrom().voidItem())
                    // answer=503: the effect happened and the action still answers a server error
                    .replaceWith(() -> Response.status(answer > 0 ? answer : 201)
                            .entity(new Created(id, body.name(), body.amountMinor())).build());
        });
    }

    /**
     * Two effects in two transactions (as a top-up around its provider call); {@code fail} makes it
     * fail {@code before} the first, {@code between} them, or refuse ({@code refuse}, a 402) between them.
     */
    @POST
    @Path("/records/staged")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> staged(@Valid @NotNull NewRecord body, @HeaderParam(Idempotency.HEADER) String key,
                                @QueryParam("fail") String fail) {
        return idempotency.executeStaged("probe", key, "POST", "/probe/records/staged", body, effects -> {
            if ("before".equals(fail)) {
                throw new IllegalStateException("failed before any effect");
            }
            UUID id = UUID.randomUUID();
            return effects.commit(tx -> tx.preparedQuery("insert into probe_records (id, name, amount_minor) values ($1, $2, 0)")
                            .execute(Tuple.of(id, body.name())))
                    .invoke(() -> {
                        if ("between".equals(fail)) {
                            throw new IllegalStateException("failed after the first effect");
                        }
                        if ("refuse".equals(fail)) {
                            throw new ProblemException(402, "INSUFFICIENT_BALANCE", "Payment required", "Refused after the first effect.");
                        }
                    })
                    .chain(() -> effects.commit(tx -> tx.preparedQuery("update probe_records set amount_minor = $2 where id = $1")
                            .execute(Tuple.of(id, body.amountMinor()))))
                    .replaceWith(() -> Response.status(201).entity(new Created(id, body.name(), body.amountMinor())).build());
        });
    }

    @GET
    @Path("/records/count")
    public Uni<Map<String, Long>> count(@QueryParam("name") String name) {
        return pool.preparedQuery("select count(*) from probe_records where name = $1").execute(Tuple.of(name))
                .map(rows -> Map.of("count", rows.iterator().next().getLong(0)));
    }

    @GET
    @Path("/numbers")
    public Page<Integer> numbers(@Valid @BeanParam PageRequest page) {
        int total = 250;
        List<Integer> all = IntStream.rangeClosed(1, total).boxed().toList();
        List<Integer> slice = all.subList(Math.min(page.offset(), total), Math.min(page.offset() + page.size(), total));
        return Page.of(slice, page, total);
    }

    @GET
    @Path("/me")
    @Authenticated
    public Principal me() {
        return principal.get();
    }

    @GET
    @Path("/fail/{kind}")
    public String fail(@PathParam("kind") String kind) {
        switch (kind) {
            case "not-found" -> throw ProblemException.notFound("Record 42");
            case "insufficient" -> throw new ProblemException(402, "INSUFFICIENT_BALANCE", "Payment required",
                    "The balance is too low.").with("required", 500).with("available", 120);
            case "rate" -> throw ProblemException.rateLimited(17, "Slow down.");
            case "sql" -> throw new IllegalStateException("ERROR: relation \"secret_table\" does not exist at "
                    + "org.postgresql.core.v3.QueryExecutorImpl");
            default -> {
                return kind;
            }
        }
    }
}
