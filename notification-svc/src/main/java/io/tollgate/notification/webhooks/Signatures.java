package io.tollgate.notification.webhooks;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Standard Webhooks secrets and signatures, through the spec's reference Java library: a secret is
 * {@code whsec_} plus base64 of 32 random bytes; a signature is {@code v1,} plus base64 of
 * HMAC-SHA256 over {@code id.timestamp.body}.
 */
public final class Signatures {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Signatures() {
    }

    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** The {@code webhook-signature} header: one signature per secret, space-separated. */
    public static String header(String messageId, long timestampSeconds, String body, String secret, String previousSecret) {
        String current = sign(secret, messageId, timestampSeconds, body);
        return previousSecret == null ? current : current + " " + sign(previousSecret, messageId, timestampSeconds, body);
    }

    static String sign(String secret, String messageId, long timestampSeconds, String body) {
        try {
            return new Webhook(secret).sign(messageId, timestampSeconds, body);
        } catch (WebhookSigningException | EmptyWebhookSecretException e) {
            throw new IllegalStateException("cannot sign webhook " + messageId, e);
        }
    }
}
