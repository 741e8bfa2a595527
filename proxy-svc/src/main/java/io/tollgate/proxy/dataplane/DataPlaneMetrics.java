package io.tollgate.proxy.dataplane;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data plane in {@code /q/metrics}: open tunnels and listeners, bytes by direction, refused
 * connections by reason and closed tunnels by reason.
 */
@ApplicationScoped
public class DataPlaneMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger tunnels = new AtomicInteger();
    private final AtomicInteger listeners = new AtomicInteger();
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> closes = new ConcurrentHashMap<>();

    public DataPlaneMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("tollgate.proxy.tunnels.active", tunnels, AtomicInteger::get).description("open proxied connections")
                .register(registry);
        Gauge.builder("tollgate.proxy.listeners", listeners, AtomicInteger::get).description("HTTP and SOCKS5 ports listening")
                .register(registry);
        bytesIn = Counter.builder("tollgate.proxy.traffic.bytes").tag("direction", "in").description("bytes from destinations")
                .register(registry);
        bytesOut = Counter.builder("tollgate.proxy.traffic.bytes").tag("direction", "out").description("bytes to destinations")
                .register(registry);
    }

    void opened() {
        tunnels.incrementAndGet();
    }

    void closed(String reason) {
        tunnels.decrementAndGet();
        closes.computeIfAbsent(reason, r -> Counter.builder("tollgate.proxy.tunnels.closed").tag("reason", r).register(registry)).increment();
    }

    void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("tollgate.proxy.refusals").tag("reason", r).register(registry)).increment();
    }

    void bytes(boolean in, long n) {
        (in ? bytesIn : bytesOut).increment(n);
    }

    void listeners(int n) {
        listeners.set(n);
    }
}
