package io.tollgate.notification.mail;

import io.quarkus.runtime.Startup;
import io.tollgate.kit.config.DeploymentSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The token in an unsubscribe link: the user id and an HMAC-SHA256 tag over it under a server key,
 * so a link works without a session and without a stored row, and cannot be made for another
 * user. Links in old mail keep working; rotating the key invalidates them all.
 */
@ApplicationScoped
@Startup
public class UnsubscribeTokens {

    static final String DEVELOPMENT_KEY = "tollgate-development-unsubscribe-key";
    private static final int TAG_BYTES = 16;

    private final byte[] key;

    public UnsubscribeTokens(@ConfigProperty(name = "tollgate.notification.unsubscribe-key") String key) {
        DeploymentSecrets.require("tollgate.notification.unsubscribe-key", key, DEVELOPMENT_KEY);
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    public String issue(UUID user) {
        byte[] id = bytes(user);
        return encode(id) + "." + encode(tag(id));
    }

    /** The user a token was issued for, when it is genuine. */
    public Optional<UUID> verify(String token) {
        if (token == null || token.length() > 100) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            byte[] id = Base64.getUrlDecoder().decode(parts[0]);
            byte[] tag = Base64.getUrlDecoder().decode(parts[1]);
            if (id.length != 16 || !MessageDigest.isEqual(tag, tag(id))) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(id);
            return Optional.of(new UUID(b.getLong(), b.getLong()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] tag(byte[] id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update("unsubscribe:".getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(mac.doFinal(id), TAG_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
