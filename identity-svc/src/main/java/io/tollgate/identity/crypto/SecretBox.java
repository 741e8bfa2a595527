package io.tollgate.identity.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * AES-256-GCM for secrets that must be used again (signing keys, TOTP secrets). The key comes
 * from configuration ({@code TOLLGATE_IDENTITY_DATA_KEY}, 32 bytes base64); the local default is
 * for development only and is logged as such.
 */
@ApplicationScoped
public class SecretBox {

    private static final Logger LOG = Logger.getLogger(SecretBox.class);
    static final String DEVELOPMENT_KEY = "dG9sbGdhdGUtbG9jYWwtZGV2ZWxvcG1lbnQta2V5ISE=";

    private final SecretKeySpec key;

    public SecretBox(@ConfigProperty(name = "tollgate.identity.data-key", defaultValue = DEVELOPMENT_KEY) String base64Key) {
        byte[] raw = Base64.getDecoder().decode(base64Key);
        if (raw.length != 32) {
            throw new IllegalArgumentException("tollgate.identity.data-key must be 32 bytes, base64");
        }
        if (DEVELOPMENT_KEY.equals(base64Key)) {
            LOG.warn("using the development data key: set TOLLGATE_IDENTITY_DATA_KEY outside local runs");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public String seal(String plain) {
        try {
            byte[] iv = new byte[12];
            Secrets.random().nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    public String open(String sealed) {
        try {
            byte[] all = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open a sealed secret (wrong data key?)", e);
        }
    }
}
