package io.tollgate.notification.inapp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.proxy.PortExpired;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortRenewalFailed;
import io.tollgate.contracts.proxy.PortRenewed;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.proxy.PortUnsuspended;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.notification.Formats;
import io.tollgate.notification.Routing;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Proxy's events that the user should see in the bell: a port that ends within a day, a port
 * that ended, a port auto-renewal kept or could not keep, and ports paused or resumed with their
 * traffic (one notice per kind and moment, not one per port). Creation, deletion and rotation are the user's own doing and stay out of it.
 */
@ApplicationScoped
public class ProxyNotices implements EventHandler {

    private static final Set<String> TYPES = Set.of(PortExpiring.TYPE, PortExpired.TYPE, PortSuspended.TYPE, PortUnsuspended.TYPE,
            PortRenewed.TYPE, PortRenewalFailed.TYPE);

    private final ObjectMapper json;
    private final NotificationRepository notifications;
    private final Clock clock;

    public ProxyNotices(ObjectMapper json, NotificationRepository notifications, Clock clock) {
        this.json = json;
        this.notifications = notifications;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "notification.proxy";
    }

    @Override
    public Set<String> topics() {
        return Set.of("proxy.events");
    }

    @Override
    public boolean accepts(String type) {
        return TYPES.contains(type) && Routing.routes(type, Routing.Channel.IN_APP);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        // when it happened, not when it was read: a backlog keeps its order
        Instant at = event.time() != null ? event.time().toInstant() : clock.instant();
        Notification n = switch (event.type()) {
            case PortExpiring.TYPE -> {
                PortExpiring p = event.data(json, PortExpiring.class);
                yield new Notification(UUID.randomUUID(), p.userId(), p.tenantId(), "proxy", "warning",
                        "Port " + p.displayName() + " ends soon",
                        "Your " + Formats.portKind(p.isPrivate()) + " port " + p.name() + " (" + p.country() + ") ends at "
                                + Formats.date(p.expiresAt()) + ". Extend or renew it to keep it.",
                        "/v1/ports/" + p.portId(), "View port", event.id(), null, at);
            }
            case PortExpired.TYPE -> {
                PortExpired p = event.data(json, PortExpired.class);
                yield new Notification(UUID.randomUUID(), p.userId(), p.tenantId(), "proxy", "info", "Port " + p.name() + " expired",
                        "Your " + Formats.portKind(p.isPrivate()) + " port " + p.name() + " (" + p.country() + ") reached its end at "
                                + Formats.date(p.expiresAt()) + " and stopped; its slot is free for a new port.",
                        "/v1/ports/" + p.portId(), "View port", event.id(), null, at);
            }
            case PortRenewed.TYPE -> {
                PortRenewed p = event.data(json, PortRenewed.class);
                yield new Notification(UUID.randomUUID(), p.userId(), p.tenantId(), "proxy", "success", "Port " + p.displayName() + " renewed",
                        "Your " + Formats.portKind(p.isPrivate()) + " port " + p.name() + " (" + p.country() + ") was renewed for " + p.days()
                                + " day(s) from your balance (" + Formats.money(p.chargedMinor(), p.currency()) + "); it now ends at "
                                + Formats.date(p.expiresAt()) + ".",
                        "/v1/ports/" + p.portId(), "View port", event.id(), null, at);
            }
            case PortRenewalFailed.TYPE -> {
                PortRenewalFailed p = event.data(json, PortRenewalFailed.class);
                yield new Notification(UUID.randomUUID(), p.userId(), p.tenantId(), "proxy", "warning",
                        "Port " + p.displayName() + " could not be renewed",
                        "The auto-renewal of your " + Formats.portKind(p.isPrivate()) + " port " + p.name() + " (" + p.country() + ") did not"
                                + " go through: " + Formats.renewalRefusal(p.reason(), p.requiredMinor(), p.availableMinor(), p.currency()) + ". It ends at "
                                + Formats.date(p.expiresAt()) + (p.willRetry() && p.nextAttemptAt() != null
                                ? "; we try again at " + Formats.date(p.nextAttemptAt()) + "." : " unless you extend it."),
                        "/v1/ports/" + p.portId() + "/auto-renewal", "View auto-renewal", event.id(), null, at);
            }
            case PortSuspended.TYPE -> {
                PortSuspended p = event.data(json, PortSuspended.class);
                String kind = Formats.portKind(p.isPrivate());
                yield new Notification(UUID.randomUUID(), p.userId(), p.tenantId(), "proxy", "warning",
                        capitalised(kind) + " proxy ports paused",
                        "Your " + kind + " ports stopped carrying traffic because your " + kind + " proxy traffic ran out. "
                                + "They keep their slots, credentials and time; buy traffic to resume them.",
                        "/v1/ports?status=suspended", "View ports",
                        Formats.portsChanged("suspended", p.userId(), p.isPrivate(), p.occurredAt()), null, at);
            }
            default -> {
                PortUnsuspended p = event.data(json, PortUnsuspended.class);
                String kind = Formats.portKind(p.isPrivate());
                yield new Notification(UUID.randomUUID(), p.userId(), p.tenantId(), "proxy", "success",
                        capitalised(kind) + " proxy ports resumed",
                        "Your " + kind + " ports carry traffic again.", "/v1/ports?status=active", "View ports",
                        Formats.portsChanged("resumed", p.userId(), p.isPrivate(), p.occurredAt()), null, at);
            }
        };
        return notifications.insert(tx, n);
    }

    private static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
