package io.tollgate.proxy.limits;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.UUID;

/**
 * The proxy's business limits, kept in Redis so that every replica counts against the same
 * figures, each decision one script timed by Redis's own clock. Three shapes:
 * <ul>
 * <li>a claim: one call per interval ({@link #claim}); a call that then fails gives its claim back,
 * so a refused request (bad input, no slot) costs nothing;</li>
 * <li>a window: at most N calls a minute ({@link #count});</li>
 * <li>a rotation gate: the time of the last successful rotation of a port, read against the
 * interval of the trigger asking, with a short lock so that racing rotations of one port count
 * once ({@link #beginRotation}, {@link #rotated}).</li>
 * </ul>
 * Refusals are 429 {@code RATE_LIMITED} with {@code Retry-After} in whole seconds.
 */
@ApplicationScoped
public class Cooldowns {

    private static final String CLAIM = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
            local left = redis.call('PTTL', KEYS[1])
            if left < 1 then return 1 end
            return left""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";
    private static final String COUNT = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            if n <= tonumber(ARGV[2]) then return 0 end
            local left = redis.call('PTTL', KEYS[1])
            if left < 1 then return 1 end
            return left""";
    private static final String BEGIN_ROTATION = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local v = redis.call('GET', KEYS[1])
            local last = v and tonumber(v) or 0
            local window = tonumber(ARGV[1])
            if last > 0 and now - last < window then return window - (now - last) end
            if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[2]) then return 0 end
            return -1""";
    private static final String ROTATED = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('SET', KEYS[1], tostring(now), 'PX', ARGV[1])
            if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
            return 0""";
    private static final String WAIT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local v = redis.call('GET', KEYS[1])
            local last = v and tonumber(v) or 0
            local window = tonumber(ARGV[1])
            if last > 0 and now - last < window then return window - (now - last) end
            return 0""";
    private static final Duration ROTATION_LOCK = Duration.ofSeconds(60);

    /** A claim taken: give it back with {@link #release} if what it was taken for failed. */
    public record Claim(String key, String token) {
    }

    private final ReactiveRedisDataSource redis;

    public Cooldowns(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    /** One call per {@code interval} for {@code key}; 429 while an earlier claim runs. */
    public Uni<Claim> claim(String key, Duration interval, String what) {
        String token = UUID.randomUUID().toString();
        return eval(CLAIM, new String[] {key}, token, Long.toString(interval.toMillis())).map(left -> {
            if (left > 0) {
                throw refused(left, what);
            }
            return new Claim(key, token);
        });
    }

    public Uni<Void> release(Claim claim) {
        return eval(RELEASE, new String[] {claim.key()}, claim.token()).replaceWithVoid();
    }

    /** At most {@code limit} calls a minute for {@code key}. */
    public Uni<Void> count(String key, int limit, String what) {
        return count(key, limit, Duration.ofMinutes(1), what);
    }

    /** At most {@code limit} calls per {@code window} for {@code key} (the window starts at its first call). */
    public Uni<Void> count(String key, int limit, Duration window, String what) {
        return eval(COUNT, new String[] {key}, Long.toString(window.toMillis()), Integer.toString(limit)).map(left -> {
            if (left > 0) {
                throw refused(left, what);
            }
            return null;
        });
    }

    /**
     * Admits a rotation of {@code portId} when its last successful one is at least {@code interval}
     * ago and no other rotation of it is running; the answer is the lock to end it with.
     */
    public Uni<Claim> beginRotation(UUID portId, Duration interval, String what) {
        String token = UUID.randomUUID().toString();
        return eval(BEGIN_ROTATION, new String[] {lastRotation(portId), rotationLock(portId)}, Long.toString(interval.toMillis()),
                Long.toString(ROTATION_LOCK.toMillis()), token).map(left -> {
            if (left == -1) {
                throw refused(1000, "Another rotation of this port is running.");
            }
            if (left > 0) {
                throw refused(left, what);
            }
            return new Claim(rotationLock(portId), token);
        });
    }

    /** The rotation succeeded: it counts from now, for every trigger, for {@code remember}. */
    public Uni<Void> rotated(UUID portId, Claim lock, Duration remember) {
        return eval(ROTATED, new String[] {lastRotation(portId), lock.key()}, Long.toString(remember.toMillis()), lock.token())
                .replaceWithVoid();
    }

    /** Milliseconds until a rotation of {@code portId} would pass {@code interval}; 0 when it would now. */
    public Uni<Long> rotationWait(UUID portId, Duration interval) {
        return eval(WAIT, new String[] {lastRotation(portId)}, Long.toString(interval.toMillis()));
    }

    private static String lastRotation(UUID portId) {
        return "proxy:rotation:last:" + portId;
    }

    private static String rotationLock(UUID portId) {
        return "proxy:rotation:lock:" + portId;
    }

    private Uni<Long> eval(String script, String[] keys, String... args) {
        String[] command = new String[2 + keys.length + args.length];
        command[0] = script;
        command[1] = Integer.toString(keys.length);
        System.arraycopy(keys, 0, command, 2, keys.length);
        System.arraycopy(args, 0, command, 2 + keys.length, args.length);
        return redis.execute("EVAL", command).map(r -> r.toLong());
    }

    static ProblemException refused(long leftMillis, String what) {
        long seconds = Math.max(1, (leftMillis + 999) / 1000);
        return ProblemException.rateLimited(seconds, what + " Retry in " + seconds + " s.");
    }
}
