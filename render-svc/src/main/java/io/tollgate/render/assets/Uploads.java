package io.tollgate.render.assets;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.concurrent.Offload;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A caller's own file, kept as an asset of kind {@code upload} so that a model's input can name it
 * ({@code image_url}: its link, or {@code asset:<id>}). The type must be one of the seed's list and
 * the bytes must be what the type says (their signature is read, the name and the declared type
 * are not trusted alone); the size is capped by {@code tollgate.render.uploads.max-bytes}.
 */
@ApplicationScoped
public class Uploads {

    /** The allowed types, each with the family its bytes must belong to. */
    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("image/jpeg", "jpeg"), Map.entry("image/png", "png"), Map.entry("image/webp", "webp"),
            Map.entry("image/heic", "heif"), Map.entry("image/heif", "heif"),
            Map.entry("video/mp4", "iso"), Map.entry("video/quicktime", "iso"), Map.entry("video/webm", "ebml"),
            Map.entry("audio/mpeg", "mp3"), Map.entry("audio/mp3", "mp3"), Map.entry("audio/wav", "wav"), Map.entry("audio/wave", "wav"),
            Map.entry("audio/x-wav", "wav"), Map.entry("audio/webm", "ebml"), Map.entry("audio/mp4", "iso"), Map.entry("audio/ogg", "ogg"),
            Map.entry("audio/flac", "flac"));

    /** Our asset named in a model input: a link of ours, or {@code asset:<id>}. */
    private static final Pattern REFERENCE = Pattern.compile("^(?:asset:|https?://[^/]+/v1/assets/)([0-9a-fA-F-]{36})(?:[?#].*)?$");

    private final AssetStore store;
    private final AssetRepository assets;
    private final Clock clock;
    private final long maxBytes;
    private final Duration retention;

    public Uploads(AssetStore store, AssetRepository assets, Clock clock,
                   @ConfigProperty(name = "tollgate.render.uploads.max-bytes", defaultValue = "52428800") long maxBytes,
                   @ConfigProperty(name = "tollgate.render.assets.retention", defaultValue = "P7D") Duration retention) {
        this.store = store;
        this.assets = assets;
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.retention = retention;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Keeps the uploaded file: 413 over the cap, 415 for a type not on the list or bytes that are not of it. */
    public Uni<Asset> upload(Owner owner, Path file, String declaredType, long size) {
        if (size > maxBytes) {
            throw new ProblemException(413, "PAYLOAD_TOO_LARGE", "Payload too large", "An upload may be at most " + maxBytes + " bytes.")
                    .with("max_bytes", maxBytes);
        }
        if (size == 0) {
            throw ProblemException.validation("file", "is empty");
        }
        String type = declaredType == null ? "" : declaredType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        String family = TYPES.get(type);
        if (family == null) {
            throw new ProblemException(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", "Uploads take "
                    + String.join(", ", TYPES.keySet().stream().sorted().toList()) + "; this is " + (type.isEmpty() ? "untyped" : type) + ".");
        }
        return Offload.compute(() -> {
            byte[] bytes = Files.readAllBytes(file);
            if (!family.equals(sniff(bytes))) {
                throw new ProblemException(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type",
                        "The file's bytes are not " + type + ".");
            }
            UUID id = UUID.randomUUID();
            String key = store.put(id, bytes);
            Integer[] size2d = dimensions(bytes, family);
            return new Asset(id, owner.userId(), owner.tenantId(), null, "upload", type, bytes.length,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), size2d[0], size2d[1], null, key,
                    clock.instant(), clock.instant().plus(retention));
        }).call(asset -> assets.insert(assets.pool(), asset).onFailure().invoke(e -> store.delete(asset.storageKey())));
    }

    /** The caller's live asset an input names, or empty when the value is not a reference of ours; 422 when it is someone else's or gone. */
    public Uni<Optional<Asset>> referenced(Owner owner, String field, String value) {
        if (value == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        Matcher m = REFERENCE.matcher(value);
        if (!m.matches()) {
            return Uni.createFrom().item(Optional.empty());
        }
        UUID id;
        try {
            id = UUID.fromString(m.group(1));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(Optional.empty());
        }
        return assets.live(id, clock.instant()).map(found -> {
            Asset asset = found.filter(a -> a.userId().equals(owner.userId()) && a.tenantId().equals(owner.tenantId()))
                    .orElseThrow(() -> new ProblemException(422, "INVALID_INPUT", "Invalid input",
                            "The input names a file that is not yours or has expired.",
                            List.of(new Problem.FieldError(field, "names no file of yours", "ASSET_NOT_FOUND")), Map.of(), Map.of()));
            return Optional.of(asset);
        });
    }

    /** The id of our asset a value names, when it names one. */
    public static Optional<UUID> assetId(String value) {
        Matcher m = value == null ? null : REFERENCE.matcher(value);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(m.group(1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The family a file's first bytes say it is of, or null. */
    static String sniff(byte[] b) {
        if (starts(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "png";
        }
        if (starts(b, 0, 0xFF, 0xD8, 0xFF)) {
            return "jpeg";
        }
        if (starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'E', 'B', 'P')) {
            return "webp";
        }
        if (starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'A', 'V', 'E')) {
            return "wav";
        }
        if (starts(b, 4, 'f', 't', 'y', 'p') && b.length >= 12) {
            String brand = new String(Arrays.copyOfRange(b, 8, 12), StandardCharsets.US_ASCII);
            return brand.startsWith("hei") || brand.startsWith("mif") || brand.equals("heix") || brand.equals("hevc") ? "heif" : "iso";
        }
        if (starts(b, 0, 0x1A, 0x45, 0xDF, 0xA3)) {
            return "ebml";
        }
        if (starts(b, 0, 'I', 'D', '3') || (b.length > 1 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0)) {
            return "mp3";
        }
        if (starts(b, 0, 'O', 'g', 'g', 'S')) {
            return "ogg";
        }
        if (starts(b, 0, 'f', 'L', 'a', 'C')) {
            return "flac";
        }
        return null;
    }

    private static boolean starts(byte[] b, int at, int... signature) {
        if (b.length < at + signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((b[at + i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private static Integer[] dimensions(byte[] bytes, String family) throws IOException {
        if (family.equals("png") || family.equals("jpeg")) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            if (image == null) {
                throw new ProblemException(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", "The image does not decode.");
            }
            return new Integer[] {image.getWidth(), image.getHeight()};
        }
        return new Integer[] {null, null};
    }
}
