package io.tollgate.kit.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
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
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} contract for POSTs that create or charge: the first response is
 * stored for 24 h and replayed (with {@code Idempotent-Replayed: true}) for the same key and
 * body; the same key with another request is 422; the same key while the first is still running
 * is 409. Only responses below 500 are stored, so a crash or a server error can be retried.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7E]{1,255}$");

    // Claim a fresh key, or take over one that expired or whose owner died mid-flight.
    private static final String CLAIM = """
            insert into idempotency_keys (scope, idem_key, fingerprint, locked_until, expires_at)
            values ($1, $2, $3, now() + make_interval(secs => $4), now() + make_interval(secs => $5))
            on conflict (scope, idem_key) do update
               set fingerprint = excluded.fingerprint, status = null, body = null, content_type = null,
                   location = null, created_at = now(), locked_until = excluded.locked_until,
                   expires_at = excluded.expires_at
             where idempotency_keys.expires_at < now()
                or (idempotency_keys.status is null and idempotency_keys.locked_until < now())
            returning scope""";
    private static final String LOAD = """
            select fingerprint, status, content_type, location, body from idempotency_keys
             where scope = $1 and idem_key = $2""";
    private static final String STORE = """
            update idempotency_keys set status = $3, content_type = $4, location = $5, body = $6, locked_until = null
             where scope = $1 and idem_key = $2""";
    private static final String RELEASE = "delete from idempotency_keys where scope = $1 and idem_key = $2 and status is null";
    private static final String PURGE = "delete from idempotency_keys where expires_at < now()";

    private final Pool pool;
    private final ObjectMapper json;
    private final ObjectMapper canonical;
    private final Duration retention;
    private final Duration lease;

    public Idempotency(Pool pool, ObjectMapper json,
                       @ConfigProperty(name = "tollgate.idempotency.retention", defaultValue = "24h") Duration retention,
                       @ConfigProperty(name = "tollgate.idempotency.lease", defaultValue = "60s") Duration lease) {
        this.pool = pool;
        this.json = json;
        this.canonical = json.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);
        this.retention = retention;
        this.lease = lease;
    }

    /**
     * Runs {@code action} at most once per (scope, key).
     *
     * @param scope  whose key this is: the caller's subject, so keys of different callers never meet
     * @param key    the header value, or null to run without idempotency
     * @param method the HTTP method and {@code path} the request path: part of the fingerprint
     * @param body   the parsed request body (null for none); compared in canonical JSON form
     */
    public Uni<Response> execute(String scope, String key, String method, String path, Object body,
                                 Supplier<Uni<Response>> action) {
        if (key == null) {
            return action.get();
        }
        try {
            checkKey(key);
        } catch (ProblemException e) {
            return Uni.createFrom().failure(e);
        }
        String fingerprint = fingerprint(method, path, body);
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(scope, key, fingerprint, lease.toSeconds(), retention.toSeconds()))
                .chain(claimed -> claimed.size() == 1
                        ? runAndStore(scope, key, action)
                        : existing(scope, key, fingerprint));
    }

    private Uni<Response> runAndStore(String scope, String key, Supplier<Uni<Response>> action) {
        Uni<Response> run;
        try {
            run = action.get();
        } catch (RuntimeException e) {
            run = Uni.createFrom().failure(e);
        }
        return run
                .onFailure().call(() -> release(scope, key))
                .chain(response -> store(scope, key, response));
    }

    private Uni<Response> store(String scope, String key, Response response) {
        if (response.getStatus() >= 500) {
            return release(scope, key).replaceWith(response);
        }
        byte[] body;
        try {
            Object entity = response.getEntity();
            body = entity == null ? null
                    : entity instanceof byte[] bytes ? bytes
                    : entity instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                    : json.writeValueAsBytes(entity);
        } catch (JsonProcessingException e) {
            return release(scope, key).chain(() -> Uni.createFrom().failure(e));
        }
        MediaType type = response.getMediaType();
        String contentType = body == null ? null : type == null ? MediaType.APPLICATION_JSON : type.toString();
        String location = response.getLocation() == null ? null : response.getLocation().toString();
        Tuple values = Tuple.tuple().addString(scope).addString(key).addInteger(response.getStatus())
                .addString(contentType).addString(location)
                .addValue(body == null ? null : io.vertx.core.buffer.Buffer.buffer(body));
        return pool.preparedQuery(STORE).execute(values).replaceWith(rebuild(response.getStatus(), contentType,
                location, body, false));
    }

    private Uni<Response> existing(String scope, String key, String fingerprint) {
        return pool.preparedQuery(LOAD).execute(Tuple.of(scope, key)).map(rows -> {
            Row row = first(rows);
            if (row == null) {
                // The holder released it between our claim and this read: the client may simply retry.
                throw ProblemException.conflict("IDEMPOTENCY_KEY_IN_FLIGHT",
                        "A request with this Idempotency-Key is being processed; retry shortly.");
            }
            if (!fingerprint.equals(row.getString("fingerprint"))) {
                throw keyReused();
            }
            Integer status = row.getInteger("status");
            if (status == null) {
                throw ProblemException.conflict("IDEMPOTENCY_KEY_IN_FLIGHT",
                        "A request with this Idempotency-Key is being processed; retry shortly.");
            }
            var buffer = row.getBuffer("body");
            return rebuild(status, row.getString("content_type"), row.getString("location"),
                    buffer == null ? null : buffer.getBytes(), true);
        });
    }

    private Uni<Void> release(String scope, String key) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(scope, key)).replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    private static Response rebuild(int status, String contentType, String location, byte[] body, boolean replayed) {
        Response.ResponseBuilder builder = Response.status(status);
        if (body != null) {
            builder.entity(body).type(contentType);
        }
        if (location != null) {
            builder.header("Location", location);
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
