package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.contracts.notification.WebhookEndpointDisabled;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortRenewalFailed;
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
 * (usage), traffic at 50, 80 and 100 % (bandwidth, opt-in), a finished or failed render (render), a port ending within a day,
 * a refused auto-renewal and ports paused with
 * their traffic (proxy; one mail per kind and moment, not one per port), a disabled webhook
 * endpoint (webhooks). The user's preferences decide the optional ones; a user without a known
 * address gets none (the log says so).
 */
@ApplicationScoped
public class EventMails implements EventHandler {

    private static final Set<String> TYPES = Set.of(PaymentSucceeded.TYPE, PaymentFailed.TYPE, BalanceLow.TYPE, JobCompleted.TYPE,
            JobFailed.TYPE, WebhookEndpointDisabled.TYPE, AllowanceExhausted.TYPE, TrafficThresholdCrossed.TYPE, PortExpiring.TYPE,
            PortSuspended.TYPE, PortRenewalFailed.TYPE);

    private final Postman postman;
    private final ObjectMapper json;
    private final MailLinks links;

    public EventMails(Postman postman, ObjectMapper json, MailLinks links) {
        this.postman = postman;
        this.json = json;
        this.links = links;
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
        // The mail log's source_event is the mail's key, taken in this transaction (see Postman).
        Postman.Letter letter = switch (event.type()) {
            case PaymentSucceeded.TYPE -> {
                PaymentSucceeded p = event.data(json, PaymentSucceeded.class);
                yield new Postman.Letter(MailKind.TOPUP_SUCCEEDED, p.userId(), p.tenantId(), null, null, Map.of(
                        "amount", Formats.money(p.amountMinor(), p.currency()), "credited", Formats.money(p.creditedMinor(), p.currency()),
                        "paymentId", p.paymentId().toString(), "provider", p.provider(), "date", Formats.date(p.occurredAt()),
                        "actionUrl", links.payment(p.paymentId())), event.id());
            }
            case PaymentFailed.TYPE -> {
                PaymentFailed p = event.data(json, PaymentFailed.class);
                yield new Postman.Letter(MailKind.PAYMENT_FAILED, p.userId(), p.tenantId(), null, null, Map.of(
                        "amount", Formats.money(p.amountMinor(), p.currency()), "reason", p.reason() == null ? "declined" : p.reason(),
                        "actionUrl", links.payment(p.paymentId())), event.id());
            }
            case BalanceLow.TYPE -> {
                BalanceLow b = event.data(json, BalanceLow.class);
                yield new Postman.Letter(MailKind.LOW_BALANCE, b.userId(), b.tenantId(), null, null, Map.of(
                        "available", Formats.money(b.availableMinor(), b.currency()), "threshold", Formats.money(b.thresholdMinor(), b.currency()),
                        "actionUrl", links.landing(b.tenantId(), MailLinks.Section.TOP_UP)), event.id());
            }
            case JobCompleted.TYPE -> {
                JobCompleted j = event.data(json, JobCompleted.class);
                yield new Postman.Letter(MailKind.RENDER_FINISHED, j.userId(), j.tenantId(), null, null, Map.of(
                        "jobId", j.jobId(), "model", j.modelId() == null ? "render" : j.modelId(),
                        "cost", Formats.money(j.costMinor(), j.currency()), "actionUrl", links.landing(j.tenantId(), MailLinks.Section.RENDER_JOBS)), event.id());
            }
            case AllowanceExhausted.TYPE -> {
                AllowanceExhausted a = event.data(json, AllowanceExhausted.class);
                yield new Postman.Letter(MailKind.TRAFFIC_EXHAUSTED, a.userId(), a.tenantId(), null, null, Map.of(
                        "kind", a.resource().endsWith("private") ? "private" : "shared", "overage", Formats.gigabytes(a.overageBytes()),
                        "actionUrl", links.landing(a.tenantId(), MailLinks.Section.TRAFFIC)), event.id());
            }
            case TrafficThresholdCrossed.TYPE -> {
                TrafficThresholdCrossed t = event.data(json, TrafficThresholdCrossed.class);
                yield new Postman.Letter(MailKind.TRAFFIC_THRESHOLD, t.userId(), t.tenantId(), null, null, Map.of(
                        "kind", t.resource().endsWith("private") ? "private" : "shared", "percent", t.percent(),
                        "used", Formats.gigabytes(t.usedBytes()), "allowance", Formats.gigabytes(t.allowanceBytes()), "full", t.percent() >= 100,
                        "actionUrl", links.landing(t.tenantId(), MailLinks.Section.TRAFFIC)), event.id());
            }
            case PortExpiring.TYPE -> {
                PortExpiring p = event.data(json, PortExpiring.class);
                yield new Postman.Letter(MailKind.PORT_EXPIRING, p.userId(), p.tenantId(), null, null, Map.of(
                        "port", p.displayName(), "portName", p.name(), "country", p.country(), "kind", Formats.portKind(p.isPrivate()),
                        "date", Formats.date(p.expiresAt()), "actionUrl", links.landing(p.tenantId(), MailLinks.Section.PORTS)), event.id());
            }
            case PortRenewalFailed.TYPE -> {
                PortRenewalFailed p = event.data(json, PortRenewalFailed.class);
                yield new Postman.Letter(MailKind.PORT_RENEWAL_FAILED, p.userId(), p.tenantId(), null, null, Map.of(
                        "port", p.displayName(), "portName", p.name(), "country", p.country(), "kind", Formats.portKind(p.isPrivate()),
                        "days", Integer.toString(p.days()), "reason", Formats.renewalRefusal(p.reason(), p.requiredMinor(), p.availableMinor(), p.currency()), "date", Formats.date(p.expiresAt()),
                        "retry", p.willRetry() && p.nextAttemptAt() != null ? "We try again at " + Formats.date(p.nextAttemptAt()) + "."
                                : "We will not try again; the port ends at " + Formats.date(p.expiresAt()) + " unless you extend it.",
                        "actionUrl", links.landing(p.tenantId(), MailLinks.Section.TOP_UP)), event.id());
            }
            case PortSuspended.TYPE -> {
                PortSuspended p = event.data(json, PortSuspended.class);
                yield new Postman.Letter(MailKind.PORT_SUSPENDED, p.userId(), p.tenantId(), null, null, Map.of(
                        "kind", Formats.portKind(p.isPrivate()), "portsUrl", links.landing(p.tenantId(), MailLinks.Section.PORTS),
                        "actionUrl", links.landing(p.tenantId(), MailLinks.Section.TRAFFIC)),
                        Formats.portsChanged("suspended", p.userId(), p.isPrivate(), p.occurredAt()));
            }
            case JobFailed.TYPE -> {
                JobFailed j = event.data(json, JobFailed.class);
                yield new Postman.Letter(MailKind.RENDER_FAILED, j.userId(), j.tenantId(), null, null, Map.of(
                        "jobId", j.jobId(), "reason", j.reason() == null ? "an error" : j.reason(),
                        "actionUrl", links.landing(j.tenantId(), MailLinks.Section.RENDER_JOBS)), event.id());
            }
            default -> {
                WebhookEndpointDisabled w = event.data(json, WebhookEndpointDisabled.class);
                if (w.userId() == null) {
                    yield null; // a tenant's endpoint: its administrators see it in the endpoint list
                }
                String reason = WebhookEndpointDisabled.REASON_GONE.equals(w.reason()) ? "it answered 410 Gone."
                        : "every delivery to it failed for five days.";
                yield new Postman.Letter(MailKind.WEBHOOK_DISABLED, w.userId(), w.tenantId(), null, null, Map.of(
                        "url", w.url(), "reason", reason, "actionUrl", links.landing(w.tenantId(), MailLinks.Section.WEBHOOKS)), event.id());
            }
        };
        return letter == null ? Uni.createFrom().voidItem() : postman.send(tx, letter).replaceWithVoid();
    }
}
