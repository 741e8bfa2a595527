package io.tollgate.kit.pages;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * The signature of a page link that opens without a session: an HMAC-SHA256 tag (128 bits,
 * base64url) over a purpose and an id under a deployment key, so a link names one thing for one use
 * and none can be made for another id. No expiry: a receipt in an old mail keeps opening its page.
 */
public final class SignedLinks {

    private final byte[] key;

    public SignedLinks(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    public String sign(String purpose, String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(tag(purpose, id));
    }

    public boolean verify(String purpose, String id, String signature) {
        if (signature == null || signature.length() > 64 || id == null) {
            return false;
        }
        try {
            return MessageDigest.isEqual(Base64.getUrlDecoder().decode(signature), tag(purpose, id));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private byte[] tag(String purpose, String id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal((purpose + ":" + id).getBytes(StandardCharsets.UTF_8)), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
