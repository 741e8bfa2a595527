package io.tollgate.notification.inapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.CreditsClawedBack;
import io.tollgate.contracts.billing.CreditsGranted;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.notification.Formats;
import io.tollgate.notification.Routing;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;

/**
 * Turns billing's events into in-app notifications for the user they concern; traffic at 50, 80
 * and 100 % of the allowance is always shown here, whatever the user's mail preferences.
 */
@ApplicationScoped
public class BillingNotices implements EventHandler {

    private static final Set<String> TYPES = Set.of(PaymentSucceeded.TYPE, PaymentFailed.TYPE, BalanceLow.TYPE,
            CreditsGranted.TYPE, CreditsClawedBack.TYPE, InvoiceIssued.TYPE, AllowanceExhausted.TYPE, TrafficThresholdCrossed.TYPE);

    private final ObjectMapper json;
    private final NotificationRepository notifications;
    private final Clock clock;

    public BillingNotices(ObjectMapper json, NotificationRepository notifications, Clock clock) {
        this.json = json;
        this.notifications = notifications;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "notification.billing";
    }

    @Override
    public Set<String> topics() {
        return Set.of("billing.events");
    }

    @Override
    public boolean accepts(String type) {
        return TYPES.contains(type) && Routing.routes(type, Routing.Channel.IN_APP);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        JsonNode data;
        try {
            data = json.readTree(event.data());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String currency = data.path("currency").asText("");
        Notice n = new Notice();
        n.category = "billing";
        switch (event.type()) {
            case PaymentSucceeded.TYPE -> {
                n.severity = "success";
                n.title = "Top-up received";
                n.body = Formats.money(data.path("credited_minor").asLong(), currency) + " was added to your balance.";
                n.actionUrl = "/v1/billing/payments/" + data.path("payment_id").asText();
                n.actionLabel = "View payment";
            }
            case PaymentFailed.TYPE -> {
                n.severity = "error";
                n.title = "Payment failed";
                n.body = "Your payment of " + Formats.money(data.path("amount_minor").asLong(), currency) + " did not go through: "
                        + data.path("reason").asText("declined") + ".";
                n.actionUrl = "/v1/billing/payments/" + data.path("payment_id").asText();
                n.actionLabel = "View payment";
            }
            case BalanceLow.TYPE -> {
                n.severity = "warning";
                n.title = "Low balance";
                n.body = "Your available balance is " + Formats.money(data.path("available_minor").asLong(), currency)
                        + ", below your alert at " + Formats.money(data.path("threshold_minor").asLong(), currency) + ".";
                n.actionUrl = "/v1/billing/top-ups";
                n.actionLabel = "Top up";
            }
            case AllowanceExhausted.TYPE -> {
                boolean isPrivate = data.path("resource").asText().endsWith("private");
                n.category = "usage";
                n.severity = "warning";
                n.title = "Proxy traffic used up";
                n.body = "Your " + (isPrivate ? "private" : "shared") + " proxy traffic has run out, so those ports are paused. "
                        + "Buy more traffic to resume them.";
                n.actionUrl = "/v1/billing/pricing";
                n.actionLabel = "Buy traffic";
            }
            case TrafficThresholdCrossed.TYPE -> {
                String kind = data.path("resource").asText().endsWith("private") ? "private" : "shared";
                int percent = data.path("percent").asInt();
                n.category = "usage";
                n.severity = percent >= 80 ? "warning" : "info";
                n.title = Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + " proxy traffic " + percent + " % used";
                n.body = "You have used " + Formats.gigabytes(data.path("used_bytes").asLong()) + " of your "
                        + Formats.gigabytes(data.path("allowance_bytes").asLong()) + " of " + kind + " proxy traffic"
                        + (percent >= 100 ? "; those ports pause until you buy more." : ". Buy more before it runs out.");
                n.actionUrl = "/v1/billing/pricing";
                n.actionLabel = "Buy traffic";
            }
            case CreditsGranted.TYPE -> {
                n.severity = "success";
                n.title = "Credits added";
                n.body = Formats.money(data.path("amount_minor").asLong(), currency) + " was added: " + data.path("reason").asText() + ".";
            }
            case CreditsClawedBack.TYPE -> {
                n.severity = "warning";
                n.title = "Credits removed";
                n.body = Formats.money(data.path("amount_minor").asLong(), currency) + " was removed: " + data.path("reason").asText() + ".";
            }
            default -> {
                n.severity = "info";
                n.title = "Invoice " + data.path("number").asText();
                n.body = "Invoice " + data.path("number").asText() + " for " + Formats.money(data.path("total_minor").asLong(), currency)
                        + " is ready.";
                n.actionUrl = "/v1/billing/invoices/" + data.path("invoice_id").asText() + "/pdf";
                n.actionLabel = "Download PDF";
            }
        }
        // when it happened, not when it was read: a backlog keeps its order
        return notifications.insert(tx, new Notification(UUID.randomUUID(), UUID.fromString(data.path("user_id").asText()),
                UUID.fromString(data.path("tenant_id").asText()), n.category, n.severity, n.title, n.body, n.actionUrl,
                n.actionLabel, event.id(), null, event.time() != null ? event.time().toInstant() : clock.instant()));
    }

    /** What the switch decides; the rest of the row comes from the event. */
    private static final class Notice {
        String category;
        String severity;
        String title;
        String body;
        String actionUrl;
        String actionLabel;
    }
}
