package io.tollgate.proxy.rotation;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.proxy.ports.PortRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Runs the ports' auto-rotation: due ports are claimed (their next turn moved on in the same
 * statement, so one instance takes each) and rotated with trigger {@code auto}. A turn that finds
 * no device or another rotation running is skipped until the next one.
 */
@ApplicationScoped
public class AutoRotation {

    private static final Logger LOG = Logger.getLogger(AutoRotation.class);
    private static final int BATCH = 50;

    private final RotationService rotations;
    private final PortRepository ports;

    public AutoRotation(RotationService rotations, PortRepository ports) {
        this.rotations = rotations;
        this.ports = ports;
    }

    @Scheduled(every = "${tollgate.proxy.rotation.auto-scan:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> turn() {
        return ports.claimDueRotations(BATCH).chain(due -> Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(id -> rotations.autoRotate(id)
                        .onFailure(ProblemException.class).recoverWithUni(e -> {
                            LOG.infof("port %s: auto-rotation skipped (%s)", id, ((ProblemException) e).code());
                            return Uni.createFrom().voidItem();
                        }))
                .collect().asList()).replaceWithVoid();
    }
}
