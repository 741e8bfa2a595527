package io.tollgate.render.providers;

import io.quarkus.runtime.Startup;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.crypto.SealedBox;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Providers' API keys sealed with AES-256-GCM under {@code TOLLGATE_RENDER_DATA_KEY} (32 bytes,
 * base64), bound to the provider's name; only the local and test profiles have a default key.
 */
@ApplicationScoped
@Startup
public class ProviderKeys {

    static final String DEVELOPMENT_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQtcmVuZGVyLWRhdGFrZXk=";

    private final SealedBox box;

    public ProviderKeys(@ConfigProperty(name = "tollgate.render.data-key") Optional<String> base64Key) {
        DeploymentSecrets.require("tollgate.render.data-key", base64Key.orElse(null), DEVELOPMENT_KEY);
        this.box = new SealedBox(base64Key.orElseThrow(), "tollgate.render.data-key");
    }

    public String seal(String providerName, String apiKey) {
        return apiKey == null ? null : box.seal(apiKey, "provider:" + providerName);
    }

    public String open(String providerName, String sealed) {
        return sealed == null ? null : box.open(sealed, "provider:" + providerName);
    }
}
