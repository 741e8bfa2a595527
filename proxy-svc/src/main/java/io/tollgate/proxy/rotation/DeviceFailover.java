package io.tollgate.proxy.rotation;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.proxy.ports.PortRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;

/**
 * Ports do not stay on a device that has gone: once a device has been down for longer than
 * {@code tollgate.proxy.devices.failover-after}, each of its live ports moves to another free device
 * (same city first, then the country), as a rotation with trigger {@code failover} in its history and
 * a {@code port.rotated} event. A port no device can take yet stays, its status saying the device is
 * down, and is tried again on the next turn.
 */
@ApplicationScoped
public class DeviceFailover {

    private static final Logger LOG = Logger.getLogger(DeviceFailover.class);
    private static final int BATCH = 50;

    private final RotationService rotations;
    private final PortRepository ports;
    private final Duration after;

    public DeviceFailover(RotationService rotations, PortRepository ports,
                          @ConfigProperty(name = "tollgate.proxy.devices.failover-after", defaultValue = "PT2M") Duration after) {
        this.rotations = rotations;
        this.ports = ports;
        this.after = after;
    }

    @Scheduled(every = "${tollgate.proxy.devices.sweep:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> turn() {
        return ports.onLostDevices(after, BATCH).chain(lost -> Multi.createFrom().iterable(lost)
                .onItem().transformToUniAndConcatenate(id -> rotations.failover(id, after)
                        .invoke(moved -> moved.ifPresent(m -> LOG.infof("port %s moved off device %s (down longer than %s) to %s",
                                m.portId(), m.oldDeviceId(), after, m.newDeviceId())))
                        .onFailure().recoverWithItem(e -> {
                            LOG.warnf("port %s: failover failed (%s); tried again next turn", id, e.toString());
                            return Optional.empty();
                        }))
                .collect().asList()).replaceWithVoid();
    }
}
