package io.tollgate.render.assets;

import io.tollgate.kit.config.DeploymentSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * Signed, expiring links to assets: {@code /v1/assets/<id>?expires=<epoch s>&signature=<HMAC-SHA256
 * of "id.expires", base64url>} under {@code tollgate.render.assets.signing-key}. Whoever has the link
 * may read the file until it expires; anything else is refused without saying whether the asset exists.
 */
@ApplicationScoped
public class AssetLinks {

    static final String DEVELOPMENT_KEY = "local-development-asset-signing-key";

    private final byte[] key;
    private final String publicBaseUrl;
    private final Duration ttl;
    private final Clock clock;

    public AssetLinks(@ConfigProperty(name = "tollgate.render.assets.signing-key") String key,
                      @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String publicBaseUrl,
                      @ConfigProperty(name = "tollgate.render.assets.link-ttl", defaultValue = "PT1H") Duration ttl, Clock clock) {
        DeploymentSecrets.require("tollgate.render.assets.signing-key", key, DEVELOPMENT_KEY);
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.publicBaseUrl = publicBaseUrl;
        this.ttl = ttl;
        this.clock = clock;
    }

    public String url(UUID assetId) {
        long expires = clock.instant().plus(ttl).getEpochSecond();
        return publicBaseUrl + "/v1/assets/" + assetId + "?expires=" + expires + "&signature=" + sign(assetId, expires);
    }

    /** Whether the link's signature is ours and it has not expired. */
    public boolean valid(UUID assetId, long expires, String signature) {
        if (signature == null || expires < clock.instant().getEpochSecond()) {
            return false;
        }
        return MessageDigest.isEqual(sign(assetId, expires).getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8));
    }

    String sign(UUID assetId, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] tag = mac.doFinal((assetId + "." + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
