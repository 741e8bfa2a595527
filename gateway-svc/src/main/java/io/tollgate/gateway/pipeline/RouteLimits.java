package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.auth.AuthFailure;
import io.tollgate.gateway.auth.Caller;
import io.tollgate.gateway.limits.Decision;
import io.tollgate.gateway.limits.Limit;
import io.tollgate.gateway.limits.LimitsConfig;
import io.tollgate.gateway.limits.RateLimiter;
import io.tollgate.gateway.policy.RateClass;
import io.tollgate.gateway.policy.RoutePolicy;
import io.vertx.core.Future;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Step 6: the buckets a request counts against (per address on auth and public routes, per user and
 * route class, per API key at its rpm) and one Redis decision over all of them. Without Redis, auth
 * routes fail closed (503) and every other route fails open.
 */
@Singleton
public class RouteLimits {

    private static final Logger LOG = Logger.getLogger(RouteLimits.class);
    /** A key whose exchange carries no rpm gets the seed's default. */
    static final long DEFAULT_KEY_RPM = 100;

    private final RateLimiter limiter;
    private final LimitsConfig limits;

    public RouteLimits(RateLimiter limiter, LimitsConfig limits) {
        this.limiter = limiter;
        this.limits = limits;
    }

    public List<Limit> buckets(RoutePolicy policy, Caller caller, String ip) {
        long window = limits.window().toMillis();
        List<Limit> buckets = new ArrayList<>(2);
        switch (policy.rateClass()) {
            case NONE -> {
            }
            case AUTH -> buckets.add(new Limit("auth", "rl:ip:auth:" + ip, limits.authPerIp(), window));
            case PUBLIC -> buckets.add(new Limit("public", "rl:ip:public:" + ip, limits.publicPerIp(), window));
            default -> {
                String label = policy.rateClass().label();
                buckets.add(new Limit(label, "rl:user:" + caller.userId() + ":" + label, perUser(policy.rateClass()), window));
                if (caller.isApiKey()) {
                    long rpm = caller.rateLimitRpm() > 0 ? caller.rateLimitRpm() : DEFAULT_KEY_RPM;
                    buckets.add(new Limit("key", "rl:key:" + caller.apiKeyId(), rpm, 60_000));
                }
            }
        }
        return buckets;
    }

    public Future<Decision> decide(RoutePolicy policy, Caller caller, String ip) {
        List<Limit> buckets = buckets(policy, caller, ip);
        if (buckets.isEmpty()) {
            return Future.succeededFuture(Decision.UNLIMITED);
        }
        boolean failClosed = policy.rateClass() == RateClass.AUTH;
        return limiter.check(buckets, failClosed).recover(failure -> {
            LOG.warnf("rate limits unavailable: %s", failure.toString());
            if (failClosed) {
                return Future.failedFuture(new AuthFailure(503, "RATE_LIMIT_UNAVAILABLE",
                        "Sign-in is briefly unavailable; try again in a moment."));
            }
            return Future.succeededFuture(Decision.UNLIMITED);
        });
    }

    private long perUser(RateClass rateClass) {
        return switch (rateClass) {
            case PORTS -> limits.ports();
            case PURCHASE -> limits.purchase();
            case ADMIN -> limits.admin();
            default -> limits.general();
        };
    }
}
