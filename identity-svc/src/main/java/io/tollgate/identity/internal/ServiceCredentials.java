package io.tollgate.identity.internal;

import io.quarkus.runtime.Startup;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.kit.config.DeploymentSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who may get a service token: each client listed in {@code tollgate.identity.service-clients} that
 * was given its own secret. Checked at start, so a production deployment on a development secret
 * does not come up at all; compared in constant time, an unknown client against a random secret.
 */
@ApplicationScoped
@Startup
public class ServiceCredentials {

    /** SHA-256 of each client's secret. */
    private final Map<String, byte[]> secrets;
    private final byte[] nobody = digest(Secrets.token(32));

    public ServiceCredentials(ServiceClients clientSecrets,
                              @ConfigProperty(name = "tollgate.identity.service-clients",
                                      defaultValue = "gateway,billing,proxy,render,notification") Set<String> clients) {
        Map<String, byte[]> digests = new HashMap<>();
        for (String client : clients) {
            String secret = clientSecrets.secrets().get(client);
            if (secret == null || secret.isBlank()) {
                continue;
            }
            DeploymentSecrets.require("tollgate.identity.client-secrets." + client, secret);
            digests.put(client, digest(secret));
        }
        this.secrets = Map.copyOf(digests);
    }

    public boolean valid(String clientId, String secret) {
        boolean matches = MessageDigest.isEqual(secrets.getOrDefault(clientId, nobody), digest(secret));
        return matches && secrets.containsKey(clientId);
    }

    private static byte[] digest(String value) {
        return Secrets.sha256(value).getBytes(StandardCharsets.UTF_8);
    }
}
