package io.tollgate.notification.mail;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * {@link EventMails} for proxy's events, in a consumer group of its own: ports come and go in
 * bursts (a suspension is one event per port), and a burst must not delay a payment receipt.
 */
@Singleton
public class ProxyMails extends EventMails {

    public ProxyMails(Postman postman, ObjectMapper json, MailLinks links) {
        super(postman, json, links);
    }

    @Override
    public String consumer() {
        return "notification.proxy-mail";
    }

    @Override
    public Set<String> topics() {
        return Set.of("proxy.events");
    }
}
