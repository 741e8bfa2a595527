package io.tollgate.kit.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} contract for POSTs that create or charge, kept as Stripe keeps it:
 * the first answer is stored for 24 h and replayed (with {@code Idempotent-Replayed: true}) for
 * the same key and body; the same key with another request is 422; the same key while the first
 * is still running is 409.
 *
 * <p>The answer is stored <em>in the transaction of the effect</em>: {@link #execute} hands the
 * action the transaction, and the answer's row commits with whatever the action wrote, or neither
 * does. So once an effect committed its key is never released and a retry replays the answer
 * (a 5xx the action answered included); a failure before the commit (the action refused, its answer
 * could not be read or stored, the database went away) rolls everything back and frees the key.
 * Each request claims the key under a claim id of its own and its answer is stored only under that
 * claim, so a request that outlived its lease and was taken over cannot commit a second effect.
 *
 * <p>An action whose effects take several transactions or leave the database (a payment provider
 * is asked between two of them) uses {@link #executeStaged}: each effect commits through
 * {@link Effects#commit}, whose transaction also stores a provisional 500 answer, so from the
 * first effect on the key is never released either; the final answer replaces it.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7E]{1,255}$");

    /** Fault points for tests: the answer cannot be stored; the answer is lost after its commit. */
    public static final String FAULT_STORE = "idempotency.store";
    public static final String FAULT_AFTER_COMMIT = "idempotency.after-commit";

    // Claim a fresh key, or take over one that expired or whose holder died before any effect.
    private static final String CLAIM = """
            insert into idempotency_keys (scope, idem_key, fingerprint, claim, locked_until, expires_at)
            values ($1, $2, $3, $4, now() + make_interval(secs => $5), now() + make_interval(secs => $6))
            on conflict (scope, idem_key) do update
               set fingerprint = excluded.fingerprint, claim = excluded.claim, status = null, body = null,
                   content_type = null, location = null, created_at = now(), locked_until = excluded.locked_until,
                   expires_at = excluded.expires_at
             where idempotency_keys.expires_at < now()
                or (idempotency_keys.status is null and idempotency_keys.locked_until < now())
            returning scope""";
    private static final String LOAD = """
            select fingerprint, status, content_type, location, body, coalesce(locked_until > now(), false) as in_flight
              from idempotency_keys where scope = $1 and idem_key = $2""";
    // The answer, under this request's claim only; with the effect's transaction when there is one.
    private static final String STORE = """
            update idempotency_keys set status = $4, content_type = $5, location = $6, body = $7, locked_until = null
             where scope = $1 and idem_key = $2 and claim = $3""";
    // A staged action's effect committed: from now on the key answers 500 unless a final answer replaces it.
    private static final String SEAL = """
            update idempotency_keys set status = 500, content_type = $4, location = null, body = $5
             where scope = $1 and idem_key = $2 and claim = $3""";
    // After a failure: a key without an effect is freed; a sealed one keeps its answer ($4..$6 replace it
    // when given) and stops being in flight.
    private static final String SETTLE = """
            with released as (
                delete from idempotency_keys where scope = $1 and idem_key = $2 and claim = $3 and status is null
                returning 1
            )
            update idempotency_keys set locked_until = null, status = coalesce($4, status),
                   content_type = coalesce($5, content_type), body = coalesce($6, body)
             where scope = $1 and idem_key = $2 and claim = $3 and status is not null""";
    private static final String PURGE = "delete from idempotency_keys where expires_at < now()";

    /** The effects of a staged action: each runs in a transaction that also seals the key. */
    public interface Effects {
        <T> Uni<T> commit(Function<SqlConnection, Uni<T>> work);
    }

    /** One request's hold on a key. */
    private record Claim(String scope, String key, UUID id) {
        Tuple tuple() {
            return Tuple.tuple().addString(scope).addString(key).addUUID(id);
        }
    }

    /** An answer as stored and replayed. */
    private record Answer(int status, String contentType, String location, byte[] body) {
    }

    private final Pool pool;
    private final ObjectMapper json;
    private final ObjectMapper canonical;
    private final Faults faults;
    private final Duration retention;
    private final Duration lease;
    private final byte[] incomplete;

    public Idempotency(Pool pool, ObjectMapper json, Faults faults,
                       @ConfigProperty(name = "tollgate.idempotency.retention", defaultValue = "24h") Duration retention,
                       @ConfigProperty(name = "tollgate.idempotency.lease", defaultValue = "60s") Duration lease) {
        this.pool = pool;
        this.json = json;
        this.faults = faults;
        this.canonical = json.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);
        this.retention = retention;
        this.lease = lease;
        try {
            this.incomplete = json.writeValueAsBytes(new Problem(Problem.TYPE_BASE + "idempotent-request-incomplete",
                    "Internal Server Error", 500, "The first request with this Idempotency-Key changed something and did not "
                    + "finish; it is not run again. Look at what it changed, or send a new request with a new key.", null,
                    "IDEMPOTENT_REQUEST_INCOMPLETE", null, null, Map.of()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code action} at most once per (scope, key), in a transaction that also stores its answer.
     *
     * @param scope  whose key this is: the caller's subject, so keys of different callers never meet
     * @param key    the header value, or null to run without idempotency (still in one transaction)
     * @param method the HTTP method and {@code path} the request path: part of the fingerprint
     * @param body   the parsed request body (null for none); compared in canonical JSON form
     * @param action the effect and its answer; every write goes through the transaction it is given
     */
    public Uni<Response> execute(String scope, String key, String method, String path, Object body,
                                 Function<SqlConnection, Uni<Response>> action) {
        if (key == null) {
            return pool.withTransaction(tx -> Uni.createFrom().deferred(() -> action.apply(tx)));
        }
        return claimThen(scope, key, method, path, body, claim -> pool
                .withTransaction(tx -> Uni.createFrom().deferred(() -> action.apply(tx))
                        .chain(response -> store(tx, claim, response)))
                .call(() -> faults.at(FAULT_AFTER_COMMIT))
                .map(answer -> rebuild(answer, false))
                .onFailure().call(() -> settle(claim, null)));
    }

    /**
     * Runs {@code action}, whose effects commit in several transactions (or around a call outside
     * the database), at most once per (scope, key): every effect commits through
     * {@link Effects#commit}, and the first of them seals the key with a provisional 500 answer;
     * the final answer replaces it. A failure before any effect frees the key; a failure after one
     * is the answer (a {@link ProblemException} as its problem document, anything else the
     * provisional 500).
     */
    public Uni<Response> executeStaged(String scope, String key, String method, String path, Object body,
                                       Function<Effects, Uni<Response>> action) {
        if (key == null) {
            Effects plain = new Effects() {
                @Override
                public <T> Uni<T> commit(Function<SqlConnection, Uni<T>> work) {
                    return pool.withTransaction(tx -> Uni.createFrom().deferred(() -> work.apply(tx)));
                }
            };
            return Uni.createFrom().deferred(() -> action.apply(plain));
        }
        return claimThen(scope, key, method, path, body, claim -> {
            Effects sealing = new Effects() {
                @Override
                public <T> Uni<T> commit(Function<SqlConnection, Uni<T>> work) {
                    return pool.withTransaction(tx -> Uni.createFrom().deferred(() -> work.apply(tx))
                            .call(() -> tx.preparedQuery(SEAL).execute(claim.tuple().addString(Problem.MEDIA_TYPE)
                                    .addValue(Buffer.buffer(incomplete))).invoke(Idempotency::mustMatchClaim)));
                }
            };
            return Uni.createFrom().deferred(() -> action.apply(sealing))
                    .chain(response -> store(pool, claim, response))
                    .map(answer -> rebuild(answer, false))
                    .onFailure().call(failure -> settle(claim, failure instanceof ProblemException problem ? problem : null));
        });
    }

    private Uni<Response> claimThen(String scope, String key, String method, String path, Object body,
                                    Function<Claim, Uni<Response>> run) {
        try {
            checkKey(key);
        } catch (ProblemException e) {
            return Uni.createFrom().failure(e);
        }
        String fingerprint = fingerprint(method, path, body);
        Claim claim = new Claim(scope, key, UUID.randomUUID());
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(scope, key, fingerprint, claim.id(), lease.toSeconds(), retention.toSeconds()))
                .chain(claimed -> claimed.size() == 1 ? run.apply(claim) : existing(scope, key, fingerprint));
    }

    /** Stores {@code response} as the answer under {@code claim}, through {@code client} (the effect's transaction). */
    private Uni<Answer> store(SqlClient client, Claim claim, Response response) {
        Answer answer;
        try {
            faults.check(FAULT_STORE);
            answer = answerOf(response);
        } catch (RuntimeException | JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        Tuple values = claim.tuple().addInteger(answer.status()).addString(answer.contentType()).addString(answer.location())
                .addValue(answer.body() == null ? null : Buffer.buffer(answer.body()));
        return client.preparedQuery(STORE).execute(values).invoke(Idempotency::mustMatchClaim).replaceWith(answer);
    }

    private static void mustMatchClaim(RowSet<Row> rows) {
        if (rows.rowCount() != 1) {
            // the lease lapsed and another request took the key over: this one must not commit an effect
            throw ProblemException.conflict("IDEMPOTENCY_KEY_IN_FLIGHT",
                    "A request with this Idempotency-Key is being processed; retry shortly.");
        }
    }

    private Answer answerOf(Response response) throws JsonProcessingException {
        Object entity = response.getEntity();
        byte[] body = entity == null ? null
                : entity instanceof byte[] bytes ? bytes
                : entity instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                : json.writeValueAsBytes(entity);
        MediaType type = response.getMediaType();
        String contentType = body == null ? null : type == null ? MediaType.APPLICATION_JSON : type.toString();
        String location = response.getLocation() != null ? response.getLocation().toString()
                : response.getHeaderString("Location");
        return new Answer(response.getStatus(), contentType, location, body);
    }

    /** After a failure: frees a key without an effect; a sealed key keeps its answer ({@code problem} replaces it). */
    private Uni<Void> settle(Claim claim, ProblemException problem) {
        Tuple values = claim.tuple();
        if (problem == null) {
            values.addInteger(null).addString(null).addValue(null);
        } else {
            byte[] body;
            try {
                body = json.writeValueAsBytes(problem.toProblem());
            } catch (JsonProcessingException e) {
                body = incomplete;
            }
            values.addInteger(problem.status()).addString(Problem.MEDIA_TYPE).addValue(Buffer.buffer(body));
        }
        return pool.preparedQuery(SETTLE).execute(values).replaceWithVoid().onFailure().recoverWithNull();
    }

    private Uni<Response> existing(String scope, String key, String fingerprint) {
        return pool.preparedQuery(LOAD).execute(Tuple.of(scope, key)).map(rows -> {
            Row row = first(rows);
            if (row == null) {
                // The holder released it between our claim and this read: the client may simply retry.
                throw inFlight();
            }
            if (!fingerprint.equals(row.getString("fingerprint"))) {
                throw keyReused();
            }
            Integer status = row.getInteger("status");
            if (status == null || row.getBoolean("in_flight")) {
                throw inFlight();
            }
            var buffer = row.getBuffer("body");
            return rebuild(new Answer(status, row.getString("content_type"), row.getString("location"),
                    buffer == null ? null : buffer.getBytes()), true);
        });
    }

    private static ProblemException inFlight() {
        return ProblemException.conflict("IDEMPOTENCY_KEY_IN_FLIGHT",
                "A request with this Idempotency-Key is being processed; retry shortly.");
    }

    private static Response rebuild(Answer answer, boolean replayed) {
        Response.ResponseBuilder builder = Response.status(answer.status());
        if (answer.body() != null) {
            builder.entity(answer.body()).type(answer.contentType());
        }
        if (answer.location() != null) {
            builder.header("Location", answer.location());
        }
        if (replayed) {
            builder.header(REPLAYED, "true");
        }
        return builder.build();
    }

    private static Row first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** 400 unless {@code key} is 1 to 255 visible ASCII characters. */
    public static void checkKey(String key) {
        if (!KEY.matcher(key).matches()) {
            throw ProblemException.validation("Idempotency-Key", "must be 1 to 255 visible ASCII characters");
        }
    }

    /** 422: the key was already used with a different request. */
    public static ProblemException keyReused() {
        return ProblemException.unprocessable("IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was already used with a different request.");
    }

    /**
     * The request's fingerprint, to tell a retry from another request under the same key; public
     * for resources that keep their own idempotency record (a hold row holds its key).
     */
    public String fingerprint(String method, String path, Object body) {
        try {
            byte[] canonicalBody = body == null ? new byte[0] : canonical.writeValueAsBytes(body);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(method.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) ' ');
            sha.update(path.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(canonicalBody);
            return HexFormat.of().formatHex(sha.digest());
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint the request", e);
        }
    }

    @Scheduled(identity = "idempotency-purge", every = "15m", delayed = "1m")
    Uni<Void> purge() {
        return pool.query(PURGE).execute().replaceWithVoid();
    }
}
