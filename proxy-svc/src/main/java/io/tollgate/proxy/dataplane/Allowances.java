package io.tollgate.proxy.dataplane;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each user's traffic of a kind, shared by every node that carries it: one Redis hash per user and
 * kind holds the cap (billing's latest figure, see {@link LivePort}) and what all nodes have taken
 * from it. A node takes leases from it (a quarter of what is left, at most {@code lease}, at least
 * {@code min-lease} or what is left) and spends them locally, byte by byte, before anything is
 * forwarded; so the bytes all nodes forward never pass the cap. A lease a node did not spend
 * within a window goes back. A node that dies keeps at most its unspent leases from its users.
 */
@ApplicationScoped
public class Allowances {

    private static final Logger LOG = Logger.getLogger(Allowances.class);

    // KEYS[1] the user's hash; ARGV: wanted, cap, cap version, used when the hash is new, bytes owed, smallest lease
    private static final String LEASE = """
            local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
            if tonumber(ARGV[3]) > version then redis.call('HSET', KEYS[1], 'cap', ARGV[2], 'version', ARGV[3]) end
            if redis.call('HEXISTS', KEYS[1], 'used') == 0 then redis.call('HSET', KEYS[1], 'used', ARGV[4]) end
            local used = redis.call('HINCRBY', KEYS[1], 'used', ARGV[5])
            local left = tonumber(redis.call('HGET', KEYS[1], 'cap') or '0') - used
            if left <= 0 then return 0 end
            local grant = math.max(math.floor(left / 4), tonumber(ARGV[6]))
            grant = math.min(grant, tonumber(ARGV[1]), left)
            redis.call('HINCRBY', KEYS[1], 'used', grant)
            return grant""";
    private static final String GIVE_BACK = """
            if redis.call('HEXISTS', KEYS[1], 'used') == 1 then return redis.call('HINCRBY', KEYS[1], 'used', 0 - tonumber(ARGV[1])) end
            return 0""";

    /** One user's traffic of one kind on this node: the unspent part of its leases. */
    final class Budget {
        private final String key;
        private final AtomicLong left = new AtomicLong();
        private volatile LivePort terms;
        private volatile boolean spent;
        private volatile long spentVersion = -1;
        private volatile long lastUse;
        private volatile long refusedAt;
        private long owed;
        private List<Promise<Void>> waiting;

        Budget(String key, LivePort terms) {
            this.key = key;
            this.terms = terms;
        }

        /** Takes up to {@code bytes} from the local lease; what it gives may be less (then {@link #refill}). */
        long take(long bytes) {
            lastUse = System.nanoTime();
            while (true) {
                long l = left.get();
                long g = Math.min(l, bytes);
                if (left.compareAndSet(l, l - g)) {
                    if (l - g < lease / 2 && !spent) {
                        refill();
                    }
                    return g;
                }
            }
        }

        /** Bytes taken but not used (a head that could not go whole) return to the local lease. */
        void giveBackLocally(long bytes) {
            left.addAndGet(bytes);
        }

        boolean hasBytes() {
            return left.get() > 0;
        }

        /** Whether the cap is reached for the terms known now (a purchase gives a new version). */
        boolean exhausted() {
            return spent && left.get() == 0 && spentVersion == terms.capVersion();
        }

        /** Completes when a lease was asked for (granted or not); one request at a time. */
        synchronized io.vertx.core.Future<Void> refill() {
            Promise<Void> done = Promise.promise();
            if (waiting != null) {
                waiting.add(done);
                return done.future();
            }
            LivePort t = terms;
            if (spent && spentVersion == t.capVersion() && System.nanoTime() - refusedAt < 250_000_000L) {
                done.complete();
                return done.future();
            }
            waiting = new ArrayList<>(List.of(done));
            long owing = owed;
            owed = 0;
            eval(LEASE, key(), Long.toString(lease), Long.toString(t.trafficCap()), Long.toString(t.capVersion()),
                    Long.toString(t.metered()), Long.toString(owing), Long.toString(minLease))
                    .subscribe().with(granted -> finish(granted, t), failure -> {
                        LOG.warnf("traffic leases: Redis did not answer (%s); %d bytes lent on trust", failure.getMessage(), minLease);
                        synchronized (this) {
                            owed += owing + minLease;
                        }
                        finish(minLease, t);
                    });
            return done.future();
        }

        private void finish(long granted, LivePort t) {
            List<Promise<Void>> wake;
            synchronized (this) {
                left.addAndGet(granted);
                spent = granted == 0;
                if (spent) {
                    spentVersion = t.capVersion();
                    refusedAt = System.nanoTime();
                }
                wake = waiting;
                waiting = null;
            }
            wake.forEach(Promise::complete);
        }

        void terms(LivePort port) {
            terms = port;
        }

        /** A lease unspent for a window goes back, so other nodes may use it. */
        void giveBackIfIdle(long idleNanos) {
            if (System.nanoTime() - lastUse < idleNanos) {
                return;
            }
            long back = left.getAndSet(0);
            if (back > 0) {
                eval(GIVE_BACK, key(), Long.toString(back)).subscribe().with(x -> { }, e -> {
                    synchronized (this) {
                        owed -= back;
                    }
                });
            }
        }

        private String key() {
            return "proxy:traffic:" + key;
        }
    }

    private final ReactiveRedisDataSource redis;
    private final long lease;
    private final long minLease;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    public Allowances(ReactiveRedisDataSource redis,
                      @ConfigProperty(name = "tollgate.proxy.dataplane.lease", defaultValue = "1048576") long lease,
                      @ConfigProperty(name = "tollgate.proxy.dataplane.min-lease", defaultValue = "16384") long minLease) {
        this.redis = redis;
        this.lease = lease;
        this.minLease = minLease;
    }

    /** The budget of the port's owner and kind, with the port's latest terms. */
    Budget budget(LivePort port) {
        Budget b = budgets.computeIfAbsent(port.budgetKey(), k -> new Budget(k, port));
        b.terms(port);
        return b;
    }

    /** Called once a window: idle leases go back. */
    void tick(long windowNanos) {
        budgets.values().forEach(b -> b.giveBackIfIdle(windowNanos));
    }

    /** Runs {@code then} on {@code context} once the budget has bytes or is known spent. */
    static void whenRefilled(Budget budget, Context context, Runnable then) {
        budget.refill().onComplete(x -> context.runOnContext(v -> then.run()));
    }

    private Uni<Long> eval(String script, String key, String... args) {
        String[] command = new String[3 + args.length];
        command[0] = script;
        command[1] = "1";
        command[2] = key;
        System.arraycopy(args, 0, command, 3, args.length);
        return redis.execute("EVAL", command).map(r -> r.toLong());
    }
}
