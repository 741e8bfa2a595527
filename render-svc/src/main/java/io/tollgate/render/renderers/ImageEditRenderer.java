package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.assets.Asset;
import io.tollgate.render.assets.AssetRepository;
import io.tollgate.render.assets.AssetStore;
import io.tollgate.render.assets.Uploads;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.pricing.Pricing;
import jakarta.enterprise.context.ApplicationScoped;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Edits one of the caller's uploaded pictures (PNG or JPEG): an optional crop
 * ({@code crop {x, y, width, height}} in the source's pixels), then a resize to {@code width} and
 * {@code height} (either alone keeps the aspect ratio; {@code fit: cover} fills both and trims the
 * overflow, {@code contain} fits inside them), then the chosen format. Submit has checked that
 * {@code image_url} names the caller's own upload.
 */
@ApplicationScoped
public class ImageEditRenderer implements Renderer {

    private final AssetRepository assets;
    private final AssetStore store;
    private final Pricing pricing;
    private final Clock clock;

    public ImageEditRenderer(AssetRepository assets, AssetStore store, Pricing pricing, Clock clock) {
        this.assets = assets;
        this.store = store;
        this.pricing = pricing;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "image-edit";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) throws Exception {
        UUID id = Uploads.assetId(input.path("image_url").asText(null))
                .orElseThrow(() -> new Failed("input_rejected", "image_url names no upload", false));
        Asset source = assets.live(id, clock.instant()).await().atMost(Duration.ofSeconds(10))
                .orElseThrow(() -> new Failed("input_expired", "the uploaded image has expired", false));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(store.readAll(source.storageKey())));
        if (image == null) {
            throw new Failed("input_rejected", "the upload is not a PNG or JPEG picture", false);
        }
        progress.step(1, 3, "decoded " + image.getWidth() + "x" + image.getHeight());
        JsonNode crop = input.path("crop");
        if (crop.isObject()) {
            int x = crop.path("x").asInt();
            int y = crop.path("y").asInt();
            int w = crop.path("width").asInt();
            int h = crop.path("height").asInt();
            if (x + w > image.getWidth() || y + h > image.getHeight()) {
                throw new Failed("input_rejected", "the crop reaches outside the " + image.getWidth() + "x" + image.getHeight() + " picture",
                        false);
            }
            image = image.getSubimage(x, y, w, h);
        }
        if (progress.cancelled()) {
            throw new Cancelled();
        }
        progress.step(2, 3, "cropped to " + image.getWidth() + "x" + image.getHeight());
        image = resize(image, input.path("width").asInt(0), input.path("height").asInt(0), input.path("fit").asText("contain"));
        String format = input.path("output_format").asText("png");
        byte[] bytes = Images.encode(image, format);
        progress.step(3, 3, "encoded " + image.getWidth() + "x" + image.getHeight() + " " + format);
        progress.log("info", "edited " + source.id() + " to " + image.getWidth() + "x" + image.getHeight());
        return new Rendered(List.of(new File(bytes, Images.contentType(format), image.getWidth(), image.getHeight(), null)),
                pricing.quantity(model, input));
    }

    static BufferedImage resize(BufferedImage source, int width, int height, String fit) {
        int sw = source.getWidth();
        int sh = source.getHeight();
        if (width <= 0 && height <= 0) {
            return source;
        }
        int w;
        int h;
        int drawW;
        int drawH;
        if (width <= 0 || height <= 0) {
            double scale = width > 0 ? (double) width / sw : (double) height / sh;
            w = Math.max(1, (int) Math.round(sw * scale));
            h = Math.max(1, (int) Math.round(sh * scale));
            drawW = w;
            drawH = h;
        } else if ("fill".equals(fit)) {
            w = width;
            h = height;
            drawW = w;
            drawH = h;
        } else {
            double scale = "cover".equals(fit) ? Math.max((double) width / sw, (double) height / sh)
                    : Math.min((double) width / sw, (double) height / sh);
            drawW = Math.max(1, (int) Math.round(sw * scale));
            drawH = Math.max(1, (int) Math.round(sh * scale));
            w = "cover".equals(fit) ? width : drawW;
            h = "cover".equals(fit) ? height : drawH;
        }
        BufferedImage out = Images.canvas(w, h);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, (w - drawW) / 2, (h - drawH) / 2, drawW, drawH, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
