package io.tollgate.billing.pricing;

import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * Proxy prices: traffic per GB (shared or private) with volume discounts, port slots per month,
 * and slot tiers that grow with the traffic a user has bought so far. {@code calculate-price} and
 * the purchase both call {@link #quote}, so a quote is exactly what a purchase charges.
 */
@ApplicationScoped
public class PriceBook {

    public static final long BYTES_PER_GB = 1_000_000_000L;
    public static final int MAX_GB = 10_000;
    public static final int MAX_SLOTS = 1_000;

    public record Discount(int minGb, Integer maxGb, int percent) {
    }

    public record Tier(String name, int minGb, int sharedSlots, int privateSlots) {
    }

    /** What {@code amount} units cost; {@code unitPriceMinor} is after the discount. */
    public record Quote(String resource, int amount, boolean isPrivate, String unit, long basePriceMinor, int discountPercent,
                        long unitPriceMinor, long totalMinor, String currency) {
    }

    public record TierInfo(String currentTier, String nextTier, long cumulativeGb, Long gbToNextTier, int sharedSlotLimit,
                           int privateSlotLimit) {
    }

    static final List<Discount> DISCOUNTS = List.of(new Discount(1, 24, 0), new Discount(25, 49, 10), new Discount(50, 99, 20),
            new Discount(100, 249, 30), new Discount(250, null, 40));
    static final List<Tier> TIERS = List.of(new Tier("Starter", 0, 5, 1), new Tier("Bronze", 25, 10, 2), new Tier("Silver", 50, 20, 4),
            new Tier("Gold", 100, 35, 7), new Tier("Platinum", 250, 50, 10), new Tier("Enterprise", 500, 80, 15));

    private final long sharedGbMinor;
    private final long privateGbMinor;
    private final long sharedSlotMinor;
    private final long privateSlotMinor;
    private final String currency;

    public PriceBook(@ConfigProperty(name = "tollgate.billing.pricing.traffic-shared-minor", defaultValue = "400") long sharedGbMinor,
                     @ConfigProperty(name = "tollgate.billing.pricing.traffic-private-minor", defaultValue = "800") long privateGbMinor,
                     @ConfigProperty(name = "tollgate.billing.pricing.slot-shared-minor", defaultValue = "300") long sharedSlotMinor,
                     @ConfigProperty(name = "tollgate.billing.pricing.slot-private-minor", defaultValue = "600") long privateSlotMinor,
                     @ConfigProperty(name = "tollgate.billing.default-currency", defaultValue = "USD") String currency) {
        this.sharedGbMinor = sharedGbMinor;
        this.privateGbMinor = privateGbMinor;
        this.sharedSlotMinor = sharedSlotMinor;
        this.privateSlotMinor = privateSlotMinor;
        this.currency = currency;
    }

    public String currency() {
        return currency;
    }

    public long trafficMinor(boolean isPrivate) {
        return isPrivate ? privateGbMinor : sharedGbMinor;
    }

    public long slotMinor(boolean isPrivate) {
        return isPrivate ? privateSlotMinor : sharedSlotMinor;
    }

    public List<Discount> discounts() {
        return DISCOUNTS;
    }

    public List<Tier> tiers() {
        return TIERS;
    }

    /** The price of {@code amount} GB of traffic or port slots for a month. Bad input is 400. */
    public Quote quote(String resource, Integer amount, boolean isPrivate) {
        if (resource == null || !(resource.equals("traffic") || resource.equals("ports"))) {
            throw ProblemException.validation("resource", "must be traffic or ports");
        }
        int max = resource.equals("traffic") ? MAX_GB : MAX_SLOTS;
        if (amount == null || amount < 1 || amount > max) {
            throw ProblemException.validation("amount", "must be between 1 and " + max);
        }
        if (resource.equals("ports")) {
            long unit = slotMinor(isPrivate);
            return new Quote(resource, amount, isPrivate, "slot_month", unit, 0, unit, unit * amount, currency);
        }
        long base = trafficMinor(isPrivate);
        int percent = discountFor(amount);
        // whole minor units per GB, rounded half up, so total = unit x amount exactly
        long unit = (base * (100 - percent) + 50) / 100;
        return new Quote(resource, amount, isPrivate, "gb", base, percent, unit, unit * amount, currency);
    }

    static int discountFor(int gb) {
        int percent = 0;
        for (Discount d : DISCOUNTS) {
            if (gb >= d.minGb()) {
                percent = d.percent();
            }
        }
        return percent;
    }

    public static TierInfo tier(long cumulativeGb) {
        Tier current = TIERS.getFirst();
        Tier next = null;
        for (Tier t : TIERS) {
            if (cumulativeGb >= t.minGb()) {
                current = t;
            } else if (next == null) {
                next = t;
            }
        }
        return new TierInfo(current.name(), next == null ? null : next.name(), cumulativeGb,
                next == null ? null : next.minGb() - cumulativeGb, current.sharedSlots(), current.privateSlots());
    }
}
