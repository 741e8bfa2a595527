package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.notification.WebhookEndpointDisabled;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.notification.Formats;
import io.tollgate.notification.Routing;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Set;

/**
 * Mail for billing, render, proxy and our own webhook events, to the user's known address: the
 * payment receipt (transactional), a failed payment and a low balance (billing), used-up traffic
 * (usage), a finished or failed render (render), a port ending within a day and ports paused with
 * their traffic (proxy; one mail per kind and moment, not one per port), a disabled webhook
 * endpoint (webhooks). The user's preferences decide the optional ones; a user without a known
 * address gets none (the log says so).
 */
@ApplicationScoped
public class EventMails implements EventHandler {

    private static final Set<String> TYPES = Set.of(PaymentSucceeded.TYPE, PaymentFailed.TYPE, BalanceLow.TYPE, JobCompleted.TYPE,
            JobFailed.TYPE, WebhookEndpointDisabled.TYPE, AllowanceExhausted.TYPE, PortExpiring.TYPE, PortSuspended.TYPE);

    private final Postman postman;
    private final ObjectMapper json;

    public EventMails(Postman postman, ObjectMapper json) {
        this.postman = postman;
        this.json = json;
    }

    @Override
    public String consumer() {
        return "notification.mail";
    }

    @Override
    public Set<String> topics() {
        // proxy's events have their own consumer (ProxyMails): a backlog on one topic does not hold up the other mail
        return Set.of("billing.events", "render.events", "notification.events");
    }

    @Override
    public boolean accepts(String type) {
        return TYPES.contains(type) && Routing.routes(type, Routing.Channel.EMAIL);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        // A mail is not transactional: the mail log's source_event makes a redelivered event send nothing.
        String base = postman.publicBaseUrl();
        Postman.Letter letter = switch (event.type()) {
            case PaymentSucceeded.TYPE -> {
                PaymentSucceeded p = event.data(json, PaymentSucceeded.class);
                yield new Postman.Letter(MailKind.TOPUP_SUCCEEDED, p.userId(), p.tenantId(), null, null, Map.of(
                        "amount", Formats.money(p.amountMinor(), p.currency()), "credited", Formats.money(p.creditedMinor(), p.currency()),
                        "paymentId", p.paymentId().toString(), "provider", p.provider(), "date", Formats.date(p.occurredAt()),
                        "actionUrl", base + "/v1/billing/payments/" + p.paymentId()), event.id());
            }
            case PaymentFailed.TYPE -> {
                PaymentFailed p = event.data(json, PaymentFailed.class);
                yield new Postman.Letter(MailKind.PAYMENT_FAILED, p.userId(), p.tenantId(), null, null, Map.of(
                        "amount", Formats.money(p.amountMinor(), p.currency()), "reason", p.reason() == null ? "declined" : p.reason(),
                        "actionUrl", base + "/v1/billing/top-ups"), event.id());
            }
            case BalanceLow.TYPE -> {
                BalanceLow b = event.data(json, BalanceLow.class);
                yield new Postman.Letter(MailKind.LOW_BALANCE, b.userId(), b.tenantId(), null, null, Map.of(
                        "available", Formats.money(b.availableMinor(), b.currency()), "threshold", Formats.money(b.thresholdMinor(), b.currency()),
                        "actionUrl", base + "/v1/billing/top-ups"), event.id());
            }
            case JobCompleted.TYPE -> {
                JobCompleted j = event.data(json, JobCompleted.class);
                yield new Postman.Letter(MailKind.RENDER_FINISHED, j.userId(), j.tenantId(), null, null, Map.of(
                        "jobId", j.jobId(), "model", j.modelId() == null ? "render" : j.modelId(),
                        "cost", Formats.money(j.costMinor(), j.currency()), "actionUrl", base + "/v1/render/jobs/" + j.jobId()), event.id());
            }
            case AllowanceExhausted.TYPE -> {
                AllowanceExhausted a = event.data(json, AllowanceExhausted.class);
                yield new Postman.Letter(MailKind.TRAFFIC_EXHAUSTED, a.userId(), a.tenantId(), null, null, Map.of(
                        "kind", a.resource().endsWith("private") ? "private" : "shared", "overage", gigabytes(a.overageBytes()),
                        "actionUrl", base + "/v1/billing/pricing"), event.id());
            }
            case PortExpiring.TYPE -> {
                PortExpiring p = event.data(json, PortExpiring.class);
                yield new Postman.Letter(MailKind.PORT_EXPIRING, p.userId(), p.tenantId(), null, null, Map.of(
                        "port", p.displayName(), "portName", p.name(), "country", p.country(), "kind", Formats.portKind(p.isPrivate()),
                        "date", Formats.date(p.expiresAt()), "actionUrl", base + "/v1/ports/" + p.portId()), event.id());
            }
            case PortSuspended.TYPE -> {
                PortSuspended p = event.data(json, PortSuspended.class);
                yield new Postman.Letter(MailKind.PORT_SUSPENDED, p.userId(), p.tenantId(), null, null, Map.of(
                        "kind", Formats.portKind(p.isPrivate()), "portsUrl", base + "/v1/ports?status=suspended",
                        "actionUrl", base + "/v1/billing/pricing"),
                        Formats.portsChanged("suspended", p.userId(), p.isPrivate(), p.occurredAt()));
            }
            case JobFailed.TYPE -> {
                JobFailed j = event.data(json, JobFailed.class);
                yield new Postman.Letter(MailKind.RENDER_FAILED, j.userId(), j.tenantId(), null, null, Map.of(
                        "jobId", j.jobId(), "reason", j.reason() == null ? "an error" : j.reason(),
                        "actionUrl", base + "/v1/render/jobs/" + j.jobId()), event.id());
            }
            default -> {
                WebhookEndpointDisabled w = event.data(json, WebhookEndpointDisabled.class);
                if (w.userId() == null) {
                    yield null; // a tenant's endpoint: its administrators see it in the endpoint list
                }
                String reason = WebhookEndpointDisabled.REASON_GONE.equals(w.reason()) ? "it answered 410 Gone."
                        : "every delivery to it failed for five days.";
                yield new Postman.Letter(MailKind.WEBHOOK_DISABLED, w.userId(), w.tenantId(), null, null, Map.of(
                        "url", w.url(), "reason", reason, "actionUrl", base + "/v1/webhooks/" + w.endpointId()), event.id());
            }
        };
        return letter == null ? Uni.createFrom().voidItem() : postman.send(letter).replaceWithVoid();
    }

    static String gigabytes(long bytes) {
        return String.format("%.2f GB", bytes / 1e9);
    }
}
