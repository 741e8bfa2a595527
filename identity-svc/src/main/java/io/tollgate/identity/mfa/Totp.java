package io.tollgate.identity.mfa;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import org.apache.commons.codec.binary.Base32;

import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/** RFC 6238 TOTP: SHA-1, 6 digits, 30-second steps, one step of drift either way. */
public final class Totp {

    private static final Duration STEP = Duration.ofSeconds(30);
    private static final TimeBasedOneTimePasswordGenerator GENERATOR = new TimeBasedOneTimePasswordGenerator(STEP, 6, "HmacSHA1");

    private Totp() {
    }

    public static String newSecret() {
        byte[] raw = new byte[20];
        io.tollgate.identity.crypto.Secrets.random().nextBytes(raw);
        return new Base32().encodeToString(raw).replace("=", "");
    }

    public static String uri(String issuer, String account, String secret) {
        String label = URLEncoder.encode(issuer + ":" + account, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + secret + "&issuer="
                + URLEncoder.encode(issuer, StandardCharsets.UTF_8).replace("+", "%20") + "&algorithm=SHA1&digits=6&period=30";
    }

    /** The time step the code belongs to (now, one before or one after), if it is right. */
    public static OptionalLong matchingStep(String secret, String code, Instant now) {
        if (code == null || !code.matches("^[0-9]{6}$")) {
            return OptionalLong.empty();
        }
        SecretKeySpec key = new SecretKeySpec(new Base32().decode(secret), "HmacSHA1");
        long current = now.getEpochSecond() / STEP.toSeconds();
        for (long step = current - 1; step <= current + 1; step++) {
            try {
                int expected = GENERATOR.generateOneTimePassword(key, Instant.ofEpochSecond(step * STEP.toSeconds()));
                if (String.format("%06d", expected).equals(code)) {
                    return OptionalLong.of(step);
                }
            } catch (InvalidKeyException e) {
                throw new IllegalStateException(e);
            }
        }
        return OptionalLong.empty();
    }
}
