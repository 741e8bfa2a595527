package io.tollgate.kit.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * AES-256-GCM for a secret that must be read again (a signing key, a TOTP secret, a webhook
 * secret, a port's proxy password, a single-use link carried in an event). The text is
 * {@code base64(iv ‖ ciphertext ‖ tag)} with a fresh 96-bit IV each time; the optional context
 * (for example a row's id) is bound as associated data, so a sealed value copied to another row
 * does not open there.
 */
public final class SealedBox {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV = 12;

    private final SecretKeySpec key;

    /** @param base64Key 32 bytes, base64; {@code name} is the configuration key, for the message */
    public SealedBox(String base64Key, String name) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be 32 bytes, base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(name + " must be 32 bytes, base64");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public String seal(String plain) {
        return seal(plain, null);
    }

    public String open(String sealed) {
        return open(sealed, null);
    }

    public String seal(String plain, String context) {
        try {
            byte[] iv = new byte[IV];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            if (context != null) {
                cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    public String open(String sealed, String context) {
        try {
            byte[] all = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV));
            if (context != null) {
                cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            return new String(cipher.doFinal(all, IV, all.length - IV), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot open a sealed secret (wrong key?)", e);
        }
    }
}
