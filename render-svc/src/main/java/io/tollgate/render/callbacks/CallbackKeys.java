package io.tollgate.render.callbacks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A provider's callback signature, checked the way fal signs its webhooks: the signed message is
 * the request id, the user id, the timestamp (Unix seconds) and the hex SHA-256 of the raw body,
 * joined by newlines; the signature (hex) is Ed25519 under one of the keys in the provider's JWKS
 * ({@code kty: OKP, crv: Ed25519, x}). A timestamp further than {@code tolerance} from our clock is
 * refused, so a captured callback cannot be replayed later.
 *
 * <p>The key set is cached per address for {@code ttl}; a signature no cached key verifies makes
 * one fresh fetch (at most once per {@code refetch-interval}), so a rotated key is picked up at
 * once without letting forged callbacks make us fetch on every request.
 */
@ApplicationScoped
public class CallbackKeys {

    private static final Logger LOG = Logger.getLogger(CallbackKeys.class);
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");

    /** Why a callback was refused (said to the caller in the problem's detail). */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private record KeySet(List<PublicKey> keys, Instant fetchedAt) {
    }

    private final ObjectMapper json;
    private final Duration tolerance;
    private final Duration ttl;
    private final Duration refetchInterval;
    private final Map<String, KeySet> cache = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public CallbackKeys(ObjectMapper json,
                        @ConfigProperty(name = "tollgate.render.callbacks.tolerance", defaultValue = "PT5M") Duration tolerance,
                        @ConfigProperty(name = "tollgate.render.callbacks.keys-ttl", defaultValue = "PT1H") Duration ttl,
                        @ConfigProperty(name = "tollgate.render.callbacks.refetch-interval", defaultValue = "PT30S") Duration refetchInterval) {
        this.json = json;
        this.tolerance = tolerance;
        this.ttl = ttl;
        this.refetchInterval = refetchInterval;
    }

    /** Checks a callback; returns normally when one of the provider's keys signed exactly this body at about this time. */
    public void verify(String jwksUrl, String requestId, String userId, String timestamp, String signatureHex, byte[] body)
            throws Refused {
        if (requestId == null || userId == null || timestamp == null || signatureHex == null) {
            throw new Refused("the X-Fal-Webhook-Request-Id, -User-Id, -Timestamp and -Signature headers are required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new Refused("the timestamp is not a number of seconds");
        }
        if (Math.abs(Instant.now().getEpochSecond() - seconds) > tolerance.toSeconds()) {
            throw new Refused("the timestamp is more than " + tolerance.toSeconds() + " s from our clock");
        }
        byte[] signature;
        try {
            signature = HexFormat.of().parseHex(signatureHex.trim());
        } catch (IllegalArgumentException e) {
            throw new Refused("the signature is not hexadecimal");
        }
        byte[] message = (requestId + "\n" + userId + "\n" + timestamp.trim() + "\n" + sha256Hex(body)).getBytes(StandardCharsets.UTF_8);
        KeySet keys = cache.get(jwksUrl);
        if (keys == null || keys.fetchedAt().plus(ttl).isBefore(Instant.now())) {
            keys = fetch(jwksUrl);
        }
        if (verifies(keys, message, signature)) {
            return;
        }
        if (keys.fetchedAt().plus(refetchInterval).isBefore(Instant.now()) && verifies(fetch(jwksUrl), message, signature)) {
            return;
        }
        throw new Refused("the signature does not verify under the provider's published keys");
    }

    private static boolean verifies(KeySet keys, byte[] message, byte[] signature) {
        for (PublicKey key : keys.keys()) {
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(message);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // a signature of the wrong length for this key: it did not verify
            }
        }
        return false;
    }

    private KeySet fetch(String jwksUrl) throws Refused {
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create(jwksUrl)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new IOException("HTTP " + answer.statusCode());
            }
            List<PublicKey> keys = new ArrayList<>();
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            for (JsonNode jwk : json.readTree(answer.body()).path("keys")) {
                if (!"OKP".equals(jwk.path("kty").asText()) || !"Ed25519".equals(jwk.path("crv").asText())) {
                    continue;
                }
                byte[] raw = Base64.getUrlDecoder().decode(jwk.path("x").asText());
                if (raw.length != 32) {
                    continue;
                }
                byte[] spki = new byte[ED25519_SPKI.length + 32];
                System.arraycopy(ED25519_SPKI, 0, spki, 0, ED25519_SPKI.length);
                System.arraycopy(raw, 0, spki, ED25519_SPKI.length, 32);
                keys.add(factory.generatePublic(new X509EncodedKeySpec(spki)));
            }
            KeySet set = new KeySet(List.copyOf(keys), Instant.now());
            cache.put(jwksUrl, set);
            return set;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            LOG.warnf("the callback keys at %s could not be read: %s", jwksUrl, e.toString());
            throw new Refused("the provider's published keys could not be read");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted while reading the provider's keys");
        }
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
