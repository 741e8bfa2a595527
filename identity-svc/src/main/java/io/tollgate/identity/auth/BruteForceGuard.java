package io.tollgate.identity.auth;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * Temporary lockouts after repeated failed logins, per account and per client IP. A lockout
 * starts at 60 s and doubles with each further one up to 15 min; it is never permanent, and a
 * locked account answers exactly like a locked unknown address, so nothing leaks. Each decision
 * is one atomic Redis script. Without Redis, logins are refused (fail closed) rather than
 * unprotected.
 */
@ApplicationScoped
public class BruteForceGuard {

    // KEYS: fails, level, lock. ARGV: threshold, window s, base lock s, max lock s. Returns the lock set (s) or 0.
    private static final String RECORD_FAILURE = """
            local f = redis.call('INCR', KEYS[1])
            if f == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
            if f >= tonumber(ARGV[1]) then
              local level = redis.call('INCR', KEYS[2])
              redis.call('EXPIRE', KEYS[2], 86400)
              local secs = math.min(tonumber(ARGV[3]) * 2 ^ (level - 1), tonumber(ARGV[4]))
              redis.call('SET', KEYS[3], '1', 'EX', math.floor(secs))
              redis.call('DEL', KEYS[1])
              return math.floor(secs)
            end
            return 0""";

    private final ReactiveRedisDataSource redis;
    private final int accountThreshold;
    private final int ipThreshold;
    private final int baseLockSeconds;
    private final int maxLockSeconds;

    public BruteForceGuard(ReactiveRedisDataSource redis,
                           @ConfigProperty(name = "tollgate.identity.lockout.account-failures", defaultValue = "5") int accountThreshold,
                           @ConfigProperty(name = "tollgate.identity.lockout.ip-failures", defaultValue = "20") int ipThreshold,
                           @ConfigProperty(name = "tollgate.identity.lockout.base-seconds", defaultValue = "60") int baseLockSeconds,
                           @ConfigProperty(name = "tollgate.identity.lockout.max-seconds", defaultValue = "900") int maxLockSeconds) {
        this.redis = redis;
        this.accountThreshold = accountThreshold;
        this.ipThreshold = ipThreshold;
        this.baseLockSeconds = baseLockSeconds;
        this.maxLockSeconds = maxLockSeconds;
    }

    /** Fails with 429 and {@code Retry-After} while the account or the address is locked. */
    public Uni<Void> check(String account, String ip) {
        return redis.execute("MGET", "bf:acct:" + account + ":lock", "bf:ip:" + ip + ":lock")
                .chain(locks -> {
                    boolean locked = false;
                    for (Response lock : locks) {
                        locked |= lock != null;
                    }
                    if (!locked) {
                        return Uni.createFrom().voidItem();
                    }
                    return redis.execute("PTTL", "bf:acct:" + account + ":lock").chain(a ->
                            redis.execute("PTTL", "bf:ip:" + ip + ":lock").map(b -> {
                                long ms = Math.max(a.toLong(), b.toLong());
                                throw lockedOut(Math.max(1, (ms + 999) / 1000));
                            }));
                })
                .onFailure(e -> !(e instanceof ProblemException))
                .transform(e -> new ProblemException(503, "AUTH_UNAVAILABLE", "Service unavailable",
                        "Sign-in is paused for a moment; try again shortly."))
                .replaceWithVoid();
    }

    public Uni<Void> failed(String account, String ip) {
        return record("bf:acct:" + account, accountThreshold).chain(() -> record("bf:ip:" + ip, ipThreshold))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    public Uni<Void> succeeded(String account) {
        return redis.execute("DEL", "bf:acct:" + account + ":fails", "bf:acct:" + account + ":level")
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Response> record(String prefix, int threshold) {
        List<String> args = List.of("EVAL", RECORD_FAILURE, "3", prefix + ":fails", prefix + ":level", prefix + ":lock",
                Integer.toString(threshold), "900", Integer.toString(baseLockSeconds), Integer.toString(maxLockSeconds));
        return redis.execute(args.getFirst(), args.subList(1, args.size()).toArray(String[]::new));
    }

    static ProblemException lockedOut(long seconds) {
        return ProblemException.rateLimited(seconds,
                "Too many failed sign-in attempts. Try again in " + seconds + " seconds.");
    }
}
