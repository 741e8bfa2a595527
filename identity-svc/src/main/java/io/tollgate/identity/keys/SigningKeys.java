package io.tollgate.identity.keys;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tollgate.identity.crypto.NativeCrypto;
import io.tollgate.identity.crypto.SecretBox;
import io.tollgate.kit.concurrent.Offload;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The RS256 keys of the token authority. There is always one {@code active} key that signs and
 * one {@code next} key that is already published in the JWKS but does not sign yet, so every
 * verifier has it cached before the first token it signs appears. On rotation the next key
 * becomes active and the old active key is {@code retired}: still published, so tokens it signed
 * verify until they expire, then removed. Keys live in the database (private halves sealed with
 * the data key), so every identity instance signs with the same keys.
 */
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    private static final long LOCK = 0x7011_6a7e_0001L;

    public record Key(String kid, String state, PrivateKey privateKey, PublicKey publicKey, Map<String, Object> jwk,
                      Instant createdAt, Instant activatedAt, Instant retiredAt) {
    }

    private final Pool pool;
    private final SecretBox box;
    private final Clock clock;
    private final Duration rotationPeriod;
    private final Duration publishAhead;
    private final Duration retainRetired;
    private volatile List<Key> keys = List.of();

    public SigningKeys(Pool pool, SecretBox box, Clock clock,
                       @ConfigProperty(name = "tollgate.identity.keys.rotation-period", defaultValue = "P30D") Duration rotationPeriod,
                       @ConfigProperty(name = "tollgate.identity.keys.publish-ahead", defaultValue = "PT1H") Duration publishAhead,
                       @ConfigProperty(name = "tollgate.identity.keys.retain-retired", defaultValue = "PT1H") Duration retainRetired) {
        NativeCrypto.install(); // before any key is loaded, so keys belong to the fast provider
        this.pool = pool;
        this.box = box;
        this.clock = clock;
        this.rotationPeriod = rotationPeriod;
        this.publishAhead = publishAhead;
        this.retainRetired = retainRetired;
    }

    void onStart(@Observes StartupEvent event) {
        ensure().await().atMost(Duration.ofSeconds(30));
    }

    /** The key that signs now. */
    public Key active() {
        return keys.stream().filter(k -> "active".equals(k.state())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no active signing key"));
    }

    public Optional<PublicKey> publicKey(String kid) {
        return keys.stream().filter(k -> k.kid().equals(kid)).map(Key::publicKey).findFirst();
    }

    /** Reloads when a token names a key this instance has not seen (another instance rotated). */
    public Optional<PublicKey> publicKeyOrReload(String kid) {
        Optional<PublicKey> found = publicKey(kid);
        if (found.isEmpty() && kid != null) {
            reload().await().atMost(Duration.ofSeconds(5));
            found = publicKey(kid);
        }
        return found;
    }

    /** The JWKS document: next, active and still-retained retired keys. */
    public Map<String, Object> jwks() {
        List<Map<String, Object>> published = new ArrayList<>();
        keys.forEach(k -> published.add(k.jwk()));
        return Map.of("keys", published);
    }

    public List<Key> keys() {
        return keys;
    }

    /** Creates the active and next keys where missing. */
    public Uni<Void> ensure() {
        return missingStates().chain(missing -> missing.isEmpty() ? Uni.createFrom().voidItem()
                        : Offload.compute(() -> missing.stream().map(state -> generate()).toList())
                        // Under the lock, look again: another instance may have created them meanwhile.
                        .chain(fresh -> locked(conn -> missingStates(conn).chain(stillMissing -> {
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            for (int i = 0; i < stillMissing.size(); i++) {
                                String state = stillMissing.get(i);
                                NewKey key = fresh.get(i);
                                chain = chain.chain(() -> insert(conn, state, key));
                            }
                            return chain;
                        }))))
                .chain(this::reload);
    }

    private Uni<List<String>> missingStates() {
        return pool.withConnection(this::missingStates);
    }

    private Uni<List<String>> missingStates(SqlConnection conn) {
        return conn.query("select state from signing_keys where state in ('active', 'next')").execute().map(rows -> {
            List<String> present = new ArrayList<>();
            rows.forEach(row -> present.add(row.getString("state")));
            return java.util.stream.Stream.of("active", "next").filter(state -> !present.contains(state)).toList();
        });
    }

    /** Promotes the next key, retires the active one and publishes a new next key. */
    public Uni<Void> rotate() {
        Instant now = clock.instant();
        // RSA key generation takes a good part of a second: never on the event loop.
        return Offload.compute(this::generate).chain(next -> locked(conn -> conn.preparedQuery("update signing_keys set state = 'retired', retired_at = $1 where state = 'active'")
                .execute(Tuple.of(now.atOffset(java.time.ZoneOffset.UTC)))
                .chain(() -> conn.preparedQuery("update signing_keys set state = 'active', activated_at = $1 where state = 'next'")
                        .execute(Tuple.of(now.atOffset(java.time.ZoneOffset.UTC))))
                .chain(() -> insert(conn, "next", next))))
                .chain(this::reload)
                .invoke(() -> LOG.infof("signing key rotated; active kid=%s", active().kid()));
    }

    /** Rotates when due, forgets retired keys whose tokens have all expired, and picks up other instances' changes. */
    @Scheduled(identity = "signing-key-maintenance", every = "${tollgate.identity.keys.check-interval:60s}", delayed = "30s")
    Uni<Void> maintain() {
        Instant now = clock.instant();
        Key current = keys.stream().filter(k -> "active".equals(k.state())).findFirst().orElse(null);
        Key next = keys.stream().filter(k -> "next".equals(k.state())).findFirst().orElse(null);
        boolean due = current != null && next != null
                && current.activatedAt() != null && current.activatedAt().plus(rotationPeriod).isBefore(now)
                && next.createdAt().plus(publishAhead).isBefore(now);
        Uni<Void> step = due ? rotate() : Uni.createFrom().voidItem();
        return step.chain(() -> pool.preparedQuery("delete from signing_keys where state = 'retired' and retired_at < $1")
                        .execute(Tuple.of(now.minus(retainRetired).atOffset(java.time.ZoneOffset.UTC))))
                .chain(this::reload);
    }

    public Uni<Void> reload() {
        return pool.query("select kid, state, private_enc, public_jwk, created_at, activated_at, retired_at from signing_keys order by created_at")
                .execute()
                .invoke(rows -> {
                    List<Key> loaded = new ArrayList<>();
                    for (Row row : rows) {
                        loaded.add(toKey(row));
                    }
                    keys = List.copyOf(loaded);
                })
                .replaceWithVoid();
    }

    private Key toKey(Row row) {
        try {
            JsonObject jwk = row.getJsonObject("public_jwk");
            RsaJsonWebKey publicJwk = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(jwk.encode());
            byte[] pkcs8 = Base64.getDecoder().decode(box.open(row.getString("private_enc")));
            PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new Key(row.getString("kid"), row.getString("state"), privateKey, publicJwk.getPublicKey(),
                    jwk.getMap(), instant(row, "created_at"), instant(row, "activated_at"), instant(row, "retired_at"));
        } catch (JoseException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("unreadable signing key " + row.getString("kid"), e);
        }
    }

    private static Instant instant(Row row, String column) {
        var value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private record NewKey(String kid, String sealed, JsonObject publicJwk) {
    }

    private NewKey generate() {
        try {
            RsaJsonWebKey jwk = RsaJwkGenerator.generateJwk(2048);
            String kid = UUID.randomUUID().toString();
            jwk.setKeyId(kid);
            jwk.setAlgorithm("RS256");
            jwk.setUse("sig");
            String sealed = box.seal(Base64.getEncoder().encodeToString(jwk.getPrivateKey().getEncoded()));
            return new NewKey(kid, sealed, new JsonObject(jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate a signing key", e);
        }
    }

    private Uni<Void> insert(SqlConnection conn, String state, NewKey key) {
        var now = clock.instant().atOffset(java.time.ZoneOffset.UTC);
        return conn.preparedQuery("insert into signing_keys (kid, state, private_enc, public_jwk, created_at, activated_at) values ($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.tuple().addString(key.kid()).addString(state).addString(key.sealed()).addValue(key.publicJwk())
                        .addValue(now).addValue("active".equals(state) ? now : null))
                .replaceWithVoid();
    }

    private Uni<Void> locked(java.util.function.Function<SqlConnection, Uni<Void>> work) {
        // One instance at a time changes the key set.
        return pool.withTransaction(conn -> conn.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK))
                .chain(() -> work.apply(conn)));
    }
}
