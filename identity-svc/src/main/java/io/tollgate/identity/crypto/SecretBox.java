package io.tollgate.identity.crypto;

import io.quarkus.runtime.Startup;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.crypto.SealedBox;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * AES-256-GCM for identity's secrets that must be used again (signing keys, TOTP secrets), under
 * {@code TOLLGATE_IDENTITY_DATA_KEY} (32 bytes base64). Only the local and test profiles have a
 * default; any other start without a key of its own is refused.
 */
@ApplicationScoped
@Startup
public class SecretBox {

    static final String DEVELOPMENT_KEY = "dG9sbGdhdGUtbG9jYWwtZGV2ZWxvcG1lbnQta2V5ISE=";

    private final SealedBox box;

    public SecretBox(@ConfigProperty(name = "tollgate.identity.data-key") String base64Key) {
        DeploymentSecrets.require("tollgate.identity.data-key", base64Key, DEVELOPMENT_KEY);
        this.box = new SealedBox(base64Key, "tollgate.identity.data-key");
    }

    public String seal(String plain) {
        return box.seal(plain);
    }

    public String open(String sealed) {
        return box.open(sealed);
    }
}
