package io.tollgate.proxy.dataplane;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.proxy.ports.Passwords;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The forwarding plane of this node: for every live port of the node's server an HTTP proxy
 * listener on its {@code http_port} and a SOCKS5 listener on its {@code socks_port}, on Vert.x
 * event loops. The node's ports are read again every {@code refresh} (500 ms), so a port made,
 * given new credentials, suspended, rotated or ended reaches the listeners within a second: new
 * numbers are opened, ended ones closed, and open connections of a port that ended, was suspended
 * or leaves through another device (or the same device on a new address) are closed with that
 * reason. Traffic is counted by {@link Metering} and held to the owner's budget by
 * {@link Allowances}.
 */
@ApplicationScoped
public class DataPlane {

    private static final Logger LOG = Logger.getLogger(DataPlane.class);

    /** An open connection of a port, closed with a reason when the port changes under it. */
    interface Session {
        void close(String reason);
    }

    /** A port's connection limits: at most max_conn open, at most conn_lim opened per minute. */
    static final class Limits {
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicLong minute = new AtomicLong();
        private final AtomicInteger opened = new AtomicInteger();

        /** Null when admitted, else the reason it is not. */
        String admit(LivePort port) {
            long now = System.currentTimeMillis() / 60_000;
            long m = minute.get();
            if (m != now && minute.compareAndSet(m, now)) {
                opened.set(0);
            }
            if (opened.incrementAndGet() > port.connPerMinute()) {
                return "rate_limited";
            }
            if (open.incrementAndGet() > port.maxConn()) {
                open.decrementAndGet();
                return "port_full";
            }
            return null;
        }

        void left() {
            open.decrementAndGet();
        }

        int open() {
            return open.get();
        }
    }

    enum Protocol { HTTP, SOCKS5, POOL_HTTP, POOL_SOCKS5 }

    private record Bound(Protocol protocol, NetServer server) {
    }

    private final Vertx vertx;
    private final DataPlaneRepository repository;
    private final Passwords passwords;
    private final Allowances allowances;
    private final Metering metering;
    private final DataPlaneMetrics metrics;
    private final PoolEntry pool;
    private final Destinations destinations;
    private final String connectPorts;
    private final String plainPorts;
    private final boolean enabled;
    private final String node;
    private final String bindHost;
    private final Duration refresh;
    private final Duration window;
    private final Duration idleTimeout;
    private final Duration totalTimeout;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean publishing = new AtomicBoolean();
    /** Whether rows of this node may be in the pool's session and connection tables (true at start: a killed run's). */
    private volatile boolean published = true;
    private final Map<Integer, Bound> bound = new HashMap<>();
    private final Set<Integer> binding = new HashSet<>();
    private final Map<UUID, Set<Session>> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, Limits> limits = new ConcurrentHashMap<>();
    private volatile Map<UUID, LivePort> ports = Map.of();
    private volatile Map<Integer, UUID> byHttp = Map.of();
    private volatile Map<Integer, UUID> bySocks = Map.of();
    private NetClient client;
    private long refreshTimer = -1;
    private long windowTimer = -1;

    public DataPlane(Vertx vertx, DataPlaneRepository repository, Passwords passwords, Allowances allowances, Metering metering,
                     DataPlaneMetrics metrics, PoolEntry pool,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.enabled", defaultValue = "true") boolean enabled,
                     @ConfigProperty(name = "tollgate.proxy.node.name", defaultValue = "node-1") String node,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.bind-host", defaultValue = "127.0.0.1") String bindHost,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.refresh", defaultValue = "PT0.5S") Duration refresh,
                     @ConfigProperty(name = "tollgate.proxy.metering.window", defaultValue = "PT5S") Duration window,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.connect-ports", defaultValue = "443") String connectPorts,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.plain-ports", defaultValue = "80") String plainPorts,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.allow-destinations") Optional<List<String>> allow,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.idle-timeout", defaultValue = "PT5M") Duration idleTimeout,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.total-timeout", defaultValue = "PT24H") Duration totalTimeout,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.connect-timeout", defaultValue = "PT10S") Duration connectTimeout,
                     @ConfigProperty(name = "tollgate.proxy.dataplane.handshake-timeout", defaultValue = "PT10S") Duration handshakeTimeout) {
        this.vertx = vertx;
        this.repository = repository;
        this.passwords = passwords;
        this.allowances = allowances;
        this.metering = metering;
        this.metrics = metrics;
        this.pool = pool;
        this.enabled = enabled;
        this.node = node;
        this.bindHost = bindHost;
        this.refresh = refresh;
        this.window = window;
        this.idleTimeout = idleTimeout;
        this.totalTimeout = totalTimeout;
        this.connectTimeout = connectTimeout;
        this.handshakeTimeout = handshakeTimeout;
        this.connectPorts = connectPorts;
        this.plainPorts = plainPorts;
        this.destinations = new Destinations(connectPorts, plainPorts, allow.orElse(List.of()));
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()).setTcpNoDelay(true));
        refresh();
        refreshTimer = vertx.setPeriodic(refresh.toMillis(), t -> refresh());
        windowTimer = vertx.setPeriodic(window.toMillis(), t -> {
            metering.flush().subscribe().with(x -> { }, e -> LOG.warnf("metering: %s", e.getMessage()));
            allowances.tick(window.toNanos());
        });
        LOG.infof("data plane: node %s on %s, CONNECT to %s, plain HTTP to %s", node, bindHost, connectPorts, plainPorts);
    }

    void stop(@Observes ShutdownEvent event) {
        if (!enabled || client == null) {
            return;
        }
        vertx.cancelTimer(refreshTimer);
        vertx.cancelTimer(windowTimer);
        synchronized (bound) {
            bound.values().forEach(b -> b.server().close());
            bound.clear();
        }
        sessions.values().forEach(set -> set.forEach(s -> s.close("shutdown")));
        try {
            repository.publish(node, List.of(), List.of()).await().atMost(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.warnf("data plane: the node's pool sessions were not withdrawn (%s)", e.getMessage());
        }
        // a clean stop writes the last window; a killed node loses what it counted since its last one
        metering.flush().await().atMost(Duration.ofSeconds(5));
    }

    /** Reads the node's live ports again and brings listeners and open connections in line. */
    void refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        repository.livePorts(node).chain(rows -> repository.poolUsers().chain(users -> repository.poolExits(node).map(exits -> {
            pool.refreshed(users, exits);
            return rows;
        }))).subscribe().with(rows -> {
            try {
                apply(rows);
                presence();
            } finally {
                refreshing.set(false);
            }
        }, e -> {
            refreshing.set(false);
            LOG.warnf("data plane: the node's ports could not be read (%s)", e.getMessage());
        });
    }

    /**
     * Publishes the node's pool sessions and open pool connections for the API, after closing the
     * sessions the API was asked to close; nothing is written while the node has none and has
     * withdrawn its rows.
     */
    private void presence() {
        List<DataPlaneRepository.Connections> open = new ArrayList<>();
        for (Map.Entry<UUID, Set<Session>> e : sessions.entrySet()) {
            PoolEntry.PoolUser owner = pool.owner(e.getKey());
            int n = e.getValue().size();
            if (owner != null && n > 0) {
                open.add(new DataPlaneRepository.Connections(owner.userId(), owner.tenantId(), n));
            }
        }
        boolean any = !open.isEmpty() || !pool.sessions().isEmpty();
        if ((!any && !published) || !publishing.compareAndSet(false, true)) {
            return;
        }
        repository.closeRequests(node).invoke(ids -> ids.forEach(id -> pool.close(id, "session_closed")))
                .chain(() -> repository.publish(node, pool.sessions(), open))
                .subscribe().with(v -> {
                    published = any;
                    publishing.set(false);
                }, e -> {
                    publishing.set(false);
                    LOG.warnf("data plane: the node's pool sessions were not published (%s)", e.getMessage());
                });
    }

    private void apply(List<LivePort> rows) {
        Map<UUID, LivePort> next = new HashMap<>();
        Map<Integer, UUID> http = new HashMap<>();
        Map<Integer, UUID> socks = new HashMap<>();
        for (LivePort p : rows) {
            next.put(p.id(), p);
            http.put(p.httpPort(), p.id());
            socks.put(p.socksPort(), p.id());
        }
        for (LivePort old : ports.values()) {
            LivePort now = next.get(old.id());
            if (now == null) {
                closeSessions(old.id(), "port_ended");
            } else if (!now.sameExit(old)) {
                closeSessions(old.id(), "rotated");
            } else if (old.active() && !now.active()) {
                closeSessions(old.id(), "suspended");
            }
        }
        for (LivePort p : next.values()) {
            allowances.budget(p);
            metering.terms(p);
        }
        ports = next;
        byHttp = http;
        bySocks = socks;
        listen(http.keySet(), socks.keySet());
    }

    private void listen(Set<Integer> http, Set<Integer> socks) {
        Map<Integer, Protocol> wanted = new HashMap<>();
        http.forEach(n -> wanted.put(n, Protocol.HTTP));
        socks.forEach(n -> wanted.put(n, Protocol.SOCKS5));
        if (pool.httpPort() > 0) {
            wanted.put(pool.httpPort(), Protocol.POOL_HTTP);
        }
        if (pool.socksPort() > 0) {
            wanted.put(pool.socksPort(), Protocol.POOL_SOCKS5);
        }
        synchronized (bound) {
            for (Map.Entry<Integer, Bound> b : Map.copyOf(bound).entrySet()) {
                if (wanted.get(b.getKey()) != b.getValue().protocol()) {
                    b.getValue().server().close();
                    bound.remove(b.getKey());
                }
            }
            for (Map.Entry<Integer, Protocol> w : wanted.entrySet()) {
                int number = w.getKey();
                if (bound.containsKey(number) || binding.contains(number)) {
                    continue;
                }
                binding.add(number);
                Protocol protocol = w.getValue();
                NetServer server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true)
                        .setIdleTimeout((int) idleTimeout.toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS));
                server.connectHandler(socket -> accept(protocol, number, socket));
                server.listen(number, bindHost).onComplete(ar -> {
                    synchronized (bound) {
                        binding.remove(number);
                        if (ar.failed()) {
                            LOG.warnf("data plane: port %d could not be opened (%s); tried again at the next refresh", number,
                                    ar.cause().getMessage());
                            return;
                        }
                        bound.put(number, new Bound(protocol, server));
                        metrics.listeners(bound.size());
                    }
                });
            }
            metrics.listeners(bound.size());
        }
    }

    private void accept(Protocol protocol, int number, NetSocket socket) {
        switch (protocol) {
            case HTTP -> new HttpProxyConnection(this, socket, portDoor(protocol, number)).start();
            case SOCKS5 -> new SocksConnection(this, socket, portDoor(protocol, number)).start();
            case POOL_HTTP -> new HttpProxyConnection(this, socket, pool.door()).start();
            case POOL_SOCKS5 -> new SocksConnection(this, socket, pool.door()).start();
        }
    }

    /** A port's own listener: its login and password open it. */
    private Door portDoor(Protocol protocol, int number) {
        return new Door() {
            @Override
            public Admission admit(String login, String password) {
                LivePort p = port(protocol, number);
                return p != null && authenticates(p, login, password) ? new Admission(p, null) : null;
            }

            @Override
            public LivePort current(LivePort admitted) {
                return ports.get(admitted.id());
            }
        };
    }

    /** The port now listening on {@code number} for {@code protocol}, or null. */
    LivePort port(Protocol protocol, int number) {
        UUID id = (protocol == Protocol.HTTP ? byHttp : bySocks).get(number);
        return id == null ? null : ports.get(id);
    }

    /** The port as it is now (credentials or status may have changed since a connection began). */
    LivePort current(UUID id) {
        return ports.get(id);
    }

    /** Whether {@code login} and {@code password} are the port's; compared in constant time. */
    boolean authenticates(LivePort port, String login, String password) {
        if (login == null || password == null) {
            return false;
        }
        String expected = passwords.open(port.passwordSealed(), port.id().toString());
        boolean loginOk = MessageDigest.isEqual(login.getBytes(StandardCharsets.UTF_8), port.login().getBytes(StandardCharsets.UTF_8));
        boolean passwordOk = MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
        return loginOk & passwordOk;
    }

    Limits limits(LivePort port) {
        return limits.computeIfAbsent(port.id(), id -> new Limits());
    }

    void register(UUID portId, Session session) {
        sessions.computeIfAbsent(portId, id -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void unregister(UUID portId, Session session) {
        Set<Session> set = sessions.get(portId);
        if (set != null) {
            set.remove(session);
        }
    }

    /** Closes every open connection of the port, saying why. */
    void closeSessions(UUID portId, String reason) {
        Set<Session> set = sessions.get(portId);
        if (set != null && !set.isEmpty()) {
            LOG.infof("data plane: closing %d connection(s) of port %s: %s", set.size(), portId, reason);
            List.copyOf(set).forEach(s -> s.close(reason));
        }
    }

    Vertx vertx() {
        return vertx;
    }

    NetClient client() {
        return client;
    }

    Allowances allowances() {
        return allowances;
    }

    Metering metering() {
        return metering;
    }

    DataPlaneMetrics metrics() {
        return metrics;
    }

    Destinations destinations() {
        return destinations;
    }

    long totalTimeoutMs() {
        return totalTimeout.toMillis();
    }

    long connectTimeoutMs() {
        return connectTimeout.toMillis();
    }

    long handshakeTimeoutMs() {
        return handshakeTimeout.toMillis();
    }
}
