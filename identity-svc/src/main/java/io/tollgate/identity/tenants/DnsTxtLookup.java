package io.tollgate.identity.tenants;

import io.smallrye.mutiny.Uni;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.dns.DnsClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Optional;

/**
 * Reads DNS TXT records with Vert.x's non-blocking DNS client: the system's resolver, unless
 * {@code tollgate.identity.dns-server} names one ({@code host:port}).
 */
@ApplicationScoped
public class DnsTxtLookup {

    private final DnsClient client;

    public DnsTxtLookup(Vertx vertx, @ConfigProperty(name = "tollgate.identity.dns-server") Optional<String> server) {
        DnsClientOptions options = new DnsClientOptions().setQueryTimeout(2_000);
        server.ifPresent(address -> {
            int colon = address.lastIndexOf(':');
            options.setHost(colon > 0 ? address.substring(0, colon) : address)
                    .setPort(colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : 53);
        });
        this.client = vertx.createDnsClient(options);
    }

    /** The TXT values of {@code name}; empty when there are none or the name does not exist. */
    public Uni<List<String>> txt(String name) {
        return client.resolveTXT(name).onFailure().recoverWithItem(List.of());
    }
}
