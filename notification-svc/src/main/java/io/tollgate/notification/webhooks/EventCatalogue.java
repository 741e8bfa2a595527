package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.CreditsClawedBack;
import io.tollgate.contracts.billing.CreditsGranted;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.contracts.proxy.PortCreated;
import io.tollgate.contracts.proxy.PortDeleted;
import io.tollgate.contracts.proxy.PortExpired;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortRenewalFailed;
import io.tollgate.contracts.proxy.PortRenewed;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.proxy.PortUnsuspended;
import io.tollgate.contracts.render.JobCancelled;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The public webhook event types and the internal events they come from. A partner subscribes to
 * the public names; the body is {@code {"type", "timestamp", "data"}} with the event's own data.
 * One internal event may stand for several public ones, told apart by its data: billing's
 * {@code traffic.threshold_crossed} is {@code traffic.threshold_50}, {@code _80} or {@code _100}
 * by its {@code percent}.
 */
public final class EventCatalogue {

    /** Sent by {@code POST /v1/webhooks/{id}/test}; never by a real event. */
    public static final String TEST = "webhook.test";

    public record EventTypeView(@JsonProperty("type") String type, @JsonProperty("category") String category,
                                @JsonProperty("description") String description) {
    }

    private record Entry(String internalType, String publicType, String category, String description, Predicate<JsonNode> matches) {
    }

    private static final List<Entry> ENTRIES = new ArrayList<>();

    static {
        add(PaymentSucceeded.TYPE, "payment.succeeded", "billing", "A top-up was paid and credited (with any bonus).");
        add(PaymentFailed.TYPE, "payment.failed", "billing", "A top-up was declined or abandoned.");
        add(BalanceLow.TYPE, "balance.low", "billing", "The available balance fell below the alert threshold.");
        add(CreditsGranted.TYPE, "credits.granted", "billing", "An administrator added credits.");
        add(CreditsClawedBack.TYPE, "credits.clawed_back", "billing", "An administrator removed credits.");
        add(InvoiceIssued.TYPE, "invoice.issued", "billing", "An invoice was issued; its PDF is ready.");
        add(JobCompleted.TYPE, "job.completed", "render", "A render job finished and its cost was charged.");
        add(JobFailed.TYPE, "job.failed", "render", "A render job failed; its hold was released.");
        add(JobCancelled.TYPE, "job.cancelled", "render", "A render job was cancelled; its hold was released.");
        add(PortCreated.TYPE, "port.created", "proxy", "A proxy port was created; it holds one of the user's slots.");
        add(PortDeleted.TYPE, "port.deleted", "proxy", "A proxy port was deleted; its slot is free again.");
        add(PortRotated.TYPE, "port.rotated", "proxy", "A proxy port got a new public address (manual, link or auto rotation).");
        add(PortExpiring.TYPE, "port.expiring", "proxy", "A proxy port ends within a day (sent once per port).");
        add(PortExpired.TYPE, "port.expired", "proxy", "A proxy port reached its end and stopped; its slot is free again.");
        add(PortSuspended.TYPE, "port.suspended", "proxy", "A proxy port stopped carrying traffic: its kind's traffic ran out.");
        add(PortUnsuspended.TYPE, "port.unsuspended", "proxy", "A suspended proxy port carries traffic again.");
        for (int percent : List.of(50, 80, 100)) {
            ENTRIES.add(new Entry(TrafficThresholdCrossed.TYPE, "traffic.threshold_" + percent, "proxy",
                    "The user has used " + percent + " % of their shared or private proxy traffic (once per crossing; a purchase re-arms it).",
                    data -> data.path("percent").asInt() == percent));
        }
        add(PortRenewed.TYPE, "port.renewed", "proxy", "Auto-renewal charged the balance and moved a proxy port's end.");
        add(PortRenewalFailed.TYPE, "port.renewal_failed", "proxy", "An auto-renewal of a proxy port was refused (e.g. the balance was too low).");
    }

    private EventCatalogue() {
    }

    private static void add(String internal, String publicType, String category, String description) {
        ENTRIES.add(new Entry(internal, publicType, category, description, data -> true));
    }

    /** Whether partners can subscribe to some public form of an internal event type. */
    public static boolean published(String internalType) {
        return ENTRIES.stream().anyMatch(e -> e.internalType().equals(internalType));
    }

    /** The public name of an internal event with this data, when partners can subscribe to it. */
    public static Optional<String> publicType(String internalType, JsonNode data) {
        return ENTRIES.stream().filter(e -> e.internalType().equals(internalType) && e.matches().test(data)).map(Entry::publicType)
                .findFirst();
    }

    public static boolean subscribable(String publicType) {
        return ENTRIES.stream().anyMatch(e -> e.publicType().equals(publicType));
    }

    public static List<EventTypeView> all() {
        return ENTRIES.stream().map(e -> new EventTypeView(e.publicType(), e.category(), e.description())).toList();
    }
}
