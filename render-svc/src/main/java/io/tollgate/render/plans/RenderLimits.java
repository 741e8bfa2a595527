package io.tollgate.render.plans;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.tollgate.render.jobs.JobRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * What a user may render, and with what priority. With a current plan: the plan's renders per
 * period ({@code monthly_renders_quota}) and jobs at once ({@code parallel_renders}), and the
 * priority {@code tollgate.render.plans.<code>.priority} (default 70). Without one: {@code
 * tollgate.render.limits.daily} jobs a day, {@code limits.parallel-per-user} at once, priority 50.
 * The ceiling of jobs at once is applied when workers claim, from the same table, so a plan bought
 * while jobs wait takes effect for them too.
 */
@ApplicationScoped
public class RenderLimits {

    public static final int DEFAULT_PRIORITY = 50;
    static final int PLAN_PRIORITY = 70;

    /** The caller's limits now; {@code remaining} is what is left of {@code limit} in the window that ends at {@code resetsAt}. */
    public record Limits(String planCode, String window, long limit, long used, long remaining, Instant resetsAt, int parallelRenders,
                         int priority) {
    }

    private final PlanRepository plans;
    private final JobRepository jobs;
    private final Config config;
    private final Clock clock;
    private final long dailyLimit;
    private final int parallelPerUser;

    public RenderLimits(PlanRepository plans, JobRepository jobs, Config config, Clock clock,
                        @ConfigProperty(name = "tollgate.render.limits.daily", defaultValue = "1000") long dailyLimit,
                        @ConfigProperty(name = "tollgate.render.limits.parallel-per-user", defaultValue = "2") int parallelPerUser) {
        this.plans = plans;
        this.jobs = jobs;
        this.config = config;
        this.clock = clock;
        this.dailyLimit = dailyLimit;
        this.parallelPerUser = parallelPerUser;
    }

    public Uni<Limits> of(Owner owner) {
        Instant now = clock.instant();
        return plans.current(owner, now).chain(plan -> {
            if (plan.isPresent()) {
                PlanLimit p = plan.get();
                int priority = config.getOptionalValue("tollgate.render.plans." + p.planCode() + ".priority", Integer.class)
                        .orElse(PLAN_PRIORITY);
                return jobs.submittedSince(owner, p.periodStart()).map(used -> new Limits(p.planCode(), "period", p.rendersQuota(), used,
                        Math.max(0, p.rendersQuota() - used), p.periodEnd(), p.parallelRenders(), Math.max(0, Math.min(100, priority))));
            }
            Instant midnight = now.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
            return jobs.submittedSince(owner, midnight).map(used -> new Limits(null, "day", dailyLimit, used,
                    Math.max(0, dailyLimit - used), midnight.plus(Duration.ofDays(1)), parallelPerUser, DEFAULT_PRIORITY));
        });
    }

    /** The caller's limits, or 429 {@code RENDER_LIMIT_EXCEEDED} (with {@code Retry-After}) when none is left. */
    public Uni<Limits> admit(Owner owner) {
        return of(owner).invoke(limits -> {
            if (limits.remaining() <= 0) {
                long retry = Math.max(1, Duration.between(clock.instant(), limits.resetsAt()).toSeconds());
                String what = limits.planCode() == null ? "The daily limit of " + limits.limit() + " jobs is reached; it resets at midnight UTC."
                        : "The " + limits.planCode() + " plan's " + limits.limit() + " renders for this period are used; the next period starts at "
                                + limits.resetsAt() + ".";
                throw new ProblemException(429, "RENDER_LIMIT_EXCEEDED", "Too many requests", what, List.of(),
                        Map.of("limit", limits.limit(), "retry_after", retry, "resets_at", limits.resetsAt().toString()),
                        Map.of("Retry-After", Long.toString(retry)));
            }
        });
    }
}
