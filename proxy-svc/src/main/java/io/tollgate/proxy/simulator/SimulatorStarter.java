package io.tollgate.proxy.simulator;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.kit.client.ServiceTokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs the device simulator beside this service when {@code tollgate.proxy.simulator.enabled}
 * (the local and test profiles): its agents talk to this instance's device-agent API over HTTP,
 * with this service's own token, as an agent in the field would with its own.
 */
@ApplicationScoped
public class SimulatorStarter {

    private final ServiceTokens tokens;
    private final boolean enabled;
    private final int controlPort;
    private final String imeiPrefix;
    private final Duration heartbeat;
    private final Duration resetDelay;
    private volatile DeviceSimulator simulator;

    public SimulatorStarter(ServiceTokens tokens,
                            @ConfigProperty(name = "tollgate.proxy.simulator.enabled", defaultValue = "false") boolean enabled,
                            @ConfigProperty(name = "tollgate.proxy.simulator.control-port", defaultValue = "8097") int controlPort,
                            @ConfigProperty(name = "tollgate.proxy.simulator.imei-prefix", defaultValue = "35100") String imeiPrefix,
                            @ConfigProperty(name = "tollgate.proxy.simulator.heartbeat", defaultValue = "PT5S") Duration heartbeat,
                            @ConfigProperty(name = "tollgate.proxy.simulator.reset-delay", defaultValue = "PT3S") Duration resetDelay) {
        this.tokens = tokens;
        this.enabled = enabled;
        this.controlPort = controlPort;
        this.imeiPrefix = imeiPrefix;
        this.heartbeat = heartbeat;
        this.resetDelay = resetDelay;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        DeviceSimulator fleet = new DeviceSimulator(DeviceSimulator.fleet(imeiPrefix), SimulatorStarter::ownUrl,
                () -> tokens.token().await().atMost(Duration.ofSeconds(10)), controlPort, heartbeat, resetDelay);
        try {
            fleet.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the device simulator could not start", e);
        }
        simulator = fleet;
    }

    void stop(@Observes ShutdownEvent event) {
        DeviceSimulator fleet = simulator;
        if (fleet != null) {
            fleet.close();
        }
    }

    /** The running simulator, when this instance runs one. */
    public Optional<DeviceSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    // the port is known once the HTTP server is up (a test's port is chosen then), so it is read at each call
    private static String ownUrl() {
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        String port = Optional.ofNullable(System.getProperty(key))
                .or(() -> ConfigProvider.getConfig().getOptionalValue(key, String.class)).orElse("8083");
        return "http://127.0.0.1:" + port;
    }
}
