package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.Set;

/**
 * {@link WebhookFanout} for proxy's events, in a consumer group of its own: a burst of port events
 * (a suspension is one event per port) must not delay the deliveries of billing's and render's.
 */
@Singleton
public class ProxyWebhookFanout extends WebhookFanout {

    public ProxyWebhookFanout(ObjectMapper json, Clock clock) {
        super(json, clock);
    }

    @Override
    public String consumer() {
        return "notification.proxy-webhooks";
    }

    @Override
    public Set<String> topics() {
        return Set.of("proxy.events");
    }
}
