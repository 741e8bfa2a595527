package io.tollgate.proxy.dataplane;

import io.tollgate.proxy.ports.Passwords;
import io.tollgate.proxy.ports.Suspensions;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The pool entry: one HTTP and one SOCKS5 address of the node for all of a user's pool traffic,
 * opened with the user's pool credentials ({@code /v1/proxy/pool/credentials}). Each connection
 * leaves through a pool (shared) device of this node that fits the username's
 * {@link PoolOptions}; a session keeps its device. The traffic is held to the user's shared
 * allowance and metered under a port id of its own per user (a name-based UUID of
 * {@code pool:<user>}), so billing charges it as any port's.
 */
@ApplicationScoped
public class PoolEntry {

    /** A pool user as the data plane knows them. */
    record PoolUser(UUID userId, UUID tenantId, String username, String passwordSealed, long trafficCap, long capVersion, long metered,
                    boolean exhausted) {
        static PoolUser from(Row r) {
            return new PoolUser(r.getUUID("user_id"), r.getUUID("tenant_id"), r.getString("username"), r.getString("password_sealed"),
                    r.getLong("traffic_cap"), r.getLong("cap_version"), r.getLong("metered"), r.getBoolean("exhausted"));
        }
    }

    /** A pool device this node can send through. */
    record Exit(UUID id, String host, int tunnelPort, String country, String carrier) {
        static Exit from(Row r) {
            return new Exit(r.getUUID("id"), r.getString("public_ip"), r.getInteger("tunnel_port"), r.getString("country_code"),
                    PoolOptions.carrierKey(r.getString("carrier")));
        }
    }

    private final Passwords passwords;
    private final int httpPort;
    private final int socksPort;
    private final int maxConn;
    private final int connPerMinute;
    private final Duration idle;
    private final Map<String, PoolSession> sessions = new ConcurrentHashMap<>();
    private volatile Map<String, PoolUser> users = Map.of();
    private volatile Map<UUID, PoolUser> byPort = Map.of();
    private volatile Map<UUID, Exit> exits = Map.of();

    public PoolEntry(Passwords passwords,
                     @ConfigProperty(name = "tollgate.proxy.pool.http-port", defaultValue = "7000") int httpPort,
                     @ConfigProperty(name = "tollgate.proxy.pool.socks-port", defaultValue = "7001") int socksPort,
                     @ConfigProperty(name = "tollgate.proxy.pool.max-conn", defaultValue = "1000") int maxConn,
                     @ConfigProperty(name = "tollgate.proxy.pool.conn-per-minute", defaultValue = "3000") int connPerMinute,
                     @ConfigProperty(name = "tollgate.proxy.pool.session-idle", defaultValue = "PT60S") Duration idle) {
        this.passwords = passwords;
        this.httpPort = httpPort;
        this.socksPort = socksPort;
        this.maxConn = maxConn;
        this.connPerMinute = connPerMinute;
        this.idle = idle;
    }

    int httpPort() {
        return httpPort;
    }

    int socksPort() {
        return socksPort;
    }

    void refreshed(List<PoolUser> poolUsers, List<Exit> poolExits) {
        Map<String, PoolUser> u = new HashMap<>();
        poolUsers.forEach(p -> u.put(p.username(), p));
        Map<UUID, PoolUser> ports = new HashMap<>();
        poolUsers.forEach(x -> ports.put(portId(x.userId()), x));
        Map<UUID, Exit> e = new HashMap<>();
        poolExits.forEach(x -> e.put(x.id(), x));
        users = u;
        byPort = ports;
        exits = e;
        long now = System.nanoTime();
        sessions.values().removeIf(s -> s.expired(now, idle));
    }

    /** The port id the pool's traffic of {@code userId} is metered under. */
    static UUID portId(UUID userId) {
        return UUID.nameUUIDFromBytes(("pool:" + userId).getBytes(StandardCharsets.UTF_8));
    }

    /** The pool user whose traffic is metered under {@code portId}, or null when it is a port's. */
    PoolUser owner(UUID portId) {
        return byPort.get(portId);
    }

    /** The sessions this node holds now (expired ones left out). */
    List<PoolSession> sessions() {
        long now = System.nanoTime();
        return sessions.values().stream().filter(s -> !s.expired(now, idle)).toList();
    }

    /** Ends a session: its open connections are closed, and its name picks a new exit next time. */
    boolean close(UUID sessionId, String reason) {
        for (Map.Entry<String, PoolSession> e : sessions.entrySet()) {
            if (e.getValue().id.equals(sessionId) && sessions.remove(e.getKey(), e.getValue())) {
                e.getValue().close(reason);
                return true;
            }
        }
        return false;
    }

    /** The door of the pool's listeners. */
    Door door() {
        return new Door() {
            @Override
            public Admission admit(String login, String password) {
                return PoolEntry.this.admit(login, password);
            }

            @Override
            public LivePort current(LivePort admitted) {
                return admitted;
            }
        };
    }

    Door.Admission admit(String login, String password) {
        PoolOptions options = PoolOptions.parse(login);
        PoolUser user = options == null ? null : users.get(options.username());
        if (user == null || password == null) {
            return null;
        }
        String expected = passwords.open(user.passwordSealed(), "pool:" + user.userId());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        long now = System.nanoTime();
        Exit exit;
        PoolSession session = null;
        if (options.session() != null) {
            String key = user.userId() + ":" + options.session();
            PoolSession sticky = sessions.get(key);
            boolean live = sticky != null && !sticky.expired(now, idle);
            Exit kept = live ? exits.get(sticky.device) : null;
            if (kept != null && fits(kept, options)) {
                sticky.used(now);
                exit = kept;
                session = sticky;
            } else if (live && options.strict()) {
                return new Door.Admission(null, Relay.Refusal.STICKY_GONE, null);
            } else {
                exit = pick(options);
                if (exit != null) {
                    session = new PoolSession(user.userId(), user.tenantId(), options.session(), exit.id(), options.strict(),
                            options.sessionTime(), now);
                    sessions.put(key, session);
                }
            }
        } else {
            exit = pick(options);
        }
        if (exit == null) {
            return new Door.Admission(null, Relay.Refusal.NO_EXIT, null);
        }
        UUID id = portId(user.userId());
        LivePort port = new LivePort(id, user.userId(), user.tenantId(), false, user.exhausted() ? "suspended" : "active",
                user.exhausted() ? Suspensions.EXHAUSTED : null, user.username(), user.passwordSealed(), httpPort, socksPort, exit.id(),
                exit.host(), exit.tunnelPort(), true, maxConn, connPerMinute, user.trafficCap(), user.capVersion(), user.metered());
        return new Door.Admission(port, null, session);
    }

    private static boolean fits(Exit e, PoolOptions o) {
        return (o.country() == null || o.country().equals(e.country())) && (o.carrier() == null || o.carrier().equals(e.carrier()));
    }

    private Exit pick(PoolOptions o) {
        List<Exit> fitting = new ArrayList<>();
        for (Exit e : exits.values()) {
            if (fits(e, o)) {
                fitting.add(e);
            }
        }
        return fitting.isEmpty() ? null : fitting.get(ThreadLocalRandom.current().nextInt(fitting.size()));
    }
}
