package io.tollgate.billing.holds;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobCancelled;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.UUID;

/**
 * Render jobs settle their holds through events: a completed job captures its cost (never more
 * than was held; the rest is released), a failed or cancelled one voids the hold. A hold that is
 * already resolved (by the render service's own call, or expiry) is left as it is.
 */
@ApplicationScoped
public class RenderJobs implements EventHandler {

    private static final Logger LOG = Logger.getLogger(RenderJobs.class);
    /** The service whose events these are: it resolves only holds it placed. */
    private static final String RENDER = "render";

    private final Holds holds;
    private final ObjectMapper json;

    public RenderJobs(Holds holds, ObjectMapper json) {
        this.holds = holds;
        this.json = json;
    }

    @Override
    public String consumer() {
        return "billing.render-jobs";
    }

    @Override
    public Set<String> topics() {
        return Set.of("render.events");
    }

    @Override
    public boolean accepts(String type) {
        return JobCompleted.TYPE.equals(type) || JobFailed.TYPE.equals(type) || JobCancelled.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        Uni<Holds.Hold> settled;
        UUID holdId;
        if (JobCompleted.TYPE.equals(event.type())) {
            JobCompleted done = event.data(json, JobCompleted.class);
            holdId = done.holdId();
            if (holdId == null) {
                return Uni.createFrom().voidItem();
            }
            settled = holds.model(tx, holdId, done.modelId()).chain(() -> holds.find(tx, holdId, RENDER)).chain(hold -> {
                if (done.costMinor() == 0) {
                    return holds.voidHold(tx, holdId, RENDER);
                }
                if (done.costMinor() > hold.amountMinor()) {
                    LOG.warnf("job %s cost %d but held %d; capturing what was held", done.jobId(), done.costMinor(), hold.amountMinor());
                }
                return holds.capture(tx, holdId, Math.min(done.costMinor(), hold.amountMinor()), RENDER);
            });
        } else {
            holdId = JobFailed.TYPE.equals(event.type()) ? event.data(json, JobFailed.class).holdId()
                    : event.data(json, JobCancelled.class).holdId();
            if (holdId == null) {
                return Uni.createFrom().voidItem();
            }
            settled = holds.voidHold(tx, holdId, RENDER);
        }
        return settled.onFailure(ProblemException.class).recoverWithItem(failure -> {
            LOG.infof("hold %s not settled by %s: %s", holdId, event.type(), failure.getMessage());
            return null;
        }).replaceWithVoid();
    }
}
