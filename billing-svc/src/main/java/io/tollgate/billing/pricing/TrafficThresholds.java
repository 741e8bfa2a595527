package io.tollgate.billing.pricing;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.kit.outbox.Outbox;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The 50, 80 and 100 percent marks of a user's traffic allowance of a kind. After a charge, each
 * mark the used share has reached since the highest one announced is announced once, lowest first,
 * with {@code traffic.threshold_crossed}; after a purchase, the marks the share fell below re-arm.
 * Both run in the caller's transaction with the user's entitlement row already locked (the charge's
 * or the purchase's update), so two windows charged at once cannot announce a mark twice.
 */
@ApplicationScoped
public class TrafficThresholds {

    static final List<Integer> LEVELS = List.of(50, 80, 100);

    /**
     * One kind's share: the allowance is all traffic granted so far (what is left plus what was
     * used of it), used is what was charged against it; bytes beyond it (overage) do not count.
     */
    public record Share(long allowanceBytes, long usedBytes) {

        public static Share of(long leftBytes, long usedBytes, long overageBytes) {
            long within = usedBytes - overageBytes;
            return new Share(leftBytes + within, within);
        }

        /** The highest mark reached; 0 below the first, and always 0 without an allowance. */
        int level() {
            int reached = 0;
            for (int level : LEVELS) {
                if (allowanceBytes > 0 && usedBytes * 100 >= allowanceBytes * level) {
                    reached = level;
                }
            }
            return reached;
        }

        /** The marks above {@code announced} that the share has reached, lowest first. */
        List<Integer> crossedSince(int announced) {
            int now = level();
            return LEVELS.stream().filter(l -> l > announced && l <= now).toList();
        }
    }

    private final Outbox outbox;
    private final Clock clock;

    public TrafficThresholds(Outbox outbox, Clock clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    /** After a charge: announces the marks crossed since {@code announced} and remembers the highest. */
    public Uni<Void> charged(SqlClient tx, UUID userId, UUID tenantId, boolean isPrivate, Share share, int announced) {
        List<Integer> crossed = share.crossedSince(announced);
        if (crossed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        String resource = isPrivate ? "traffic_private" : "traffic_shared";
        return remember(tx, userId, isPrivate, crossed.getLast())
                .chain(() -> Multi.createFrom().iterable(crossed)
                        .onItem().transformToUniAndConcatenate(level -> outbox.append(tx, userId.toString(), "users/" + userId,
                                new TrafficThresholdCrossed(userId, tenantId, resource, level, share.usedBytes(), share.allowanceBytes(), now)))
                        .collect().last())
                .replaceWithVoid();
    }

    /** After a purchase: the marks the share is now below re-arm. */
    public Uni<Void> granted(SqlClient tx, UUID userId, boolean isPrivate, Share share, int announced) {
        int level = share.level();
        return level < announced ? remember(tx, userId, isPrivate, level) : Uni.createFrom().voidItem();
    }

    private static Uni<Void> remember(SqlClient tx, UUID userId, boolean isPrivate, int level) {
        return tx.preparedQuery("update entitlements set threshold_" + (isPrivate ? "private" : "shared") + " = $2 where user_id = $1")
                .execute(Tuple.of(userId, (short) level)).replaceWithVoid();
    }
}
