package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.pricing.Pricing;
import jakarta.enterprise.context.ApplicationScoped;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Prompt-seeded procedural art: the prompt and seed fix a random stream (SHA-256 of both), which
 * picks a palette and draws gradients and orbs, then refines the picture in
 * {@code num_inference_steps} passes (a layer of strokes, then a soft blur over the whole image),
 * the way a diffusion model works in steps: progress is reported, and a cancel is honoured, after
 * every pass. The same input always gives the same bytes; image {@code i} of a batch uses seed
 * {@code seed + i}.
 */
@ApplicationScoped
public class ProceduralImageRenderer implements Renderer {

    private final Pricing pricing;

    public ProceduralImageRenderer(Pricing pricing) {
        this.pricing = pricing;
    }

    @Override
    public String name() {
        return "procedural-image";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) throws Exception {
        String prompt = input.path("prompt").asText();
        long seed = input.path("seed").asLong(0);
        int width = input.path("width").asInt(512);
        int height = input.path("height").asInt(512);
        int count = input.path("num_images").asInt(1);
        int steps = input.path("num_inference_steps").asInt(DEFAULT_STEPS);
        String format = input.path("output_format").asText("png");
        List<File> files = new ArrayList<>();
        int total = count * steps;
        for (int i = 0; i < count; i++) {
            int image = i;
            BufferedImage picture = draw(prompt, seed + i, width, height, steps, step -> {
                if (progress.cancelled()) {
                    throw new Cancelled();
                }
                progress.step(image * steps + step, total, "image " + (image + 1) + " of " + count + ", step " + step + " of " + steps);
            });
            files.add(new File(Images.encode(picture, format), Images.contentType(format), width, height, null));
        }
        progress.step(total, total, "done");
        progress.log("info", "rendered " + count + " image(s) of " + width + "x" + height);
        return new Rendered(files, pricing.quantity(model, input));
    }

    /** Passes when the input names none. */
    static final int DEFAULT_STEPS = 4;

    private static final ConvolveOp SOFTEN = new ConvolveOp(new Kernel(3, 3, new float[] {
            1 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 4 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 1 / 16f}), ConvolveOp.EDGE_NO_OP, null);

    /** Called after each refinement pass with its number (from 1); may throw {@link Cancelled}. */
    interface Pass {
        void done(int step);
    }

    static BufferedImage draw(String prompt, long seed, int width, int height, int steps, Pass pass) {
        SplittableRandom random = new SplittableRandom(digest(prompt + "\u0000" + seed));
        BufferedImage image = Images.canvas(width, height);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Color[] palette = new Color[5];
            float hue = (float) random.nextDouble();
            for (int i = 0; i < palette.length; i++) {
                palette[i] = Color.getHSBColor((hue + i * 0.13f) % 1f, 0.45f + (float) random.nextDouble() * 0.5f,
                        0.35f + (float) random.nextDouble() * 0.6f);
            }
            g.setPaint(new GradientPaint(0, 0, palette[0], width, height, palette[1]));
            g.fillRect(0, 0, width, height);
            int orbs = 6 + random.nextInt(10);
            for (int i = 0; i < orbs; i++) {
                Color c = palette[2 + random.nextInt(3)];
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60 + random.nextInt(150)));
                double r = (0.05 + random.nextDouble() * 0.3) * Math.min(width, height);
                g.fill(new Ellipse2D.Double(random.nextDouble() * width - r / 2, random.nextDouble() * height - r / 2, r, r));
            }
        } finally {
            g.dispose();
        }
        for (int step = 1; step <= steps; step++) {
            Graphics2D layer = image.createGraphics();
            try {
                layer.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                layer.setStroke(new BasicStroke(1.5f + (float) random.nextDouble() * 4f));
                for (int i = 0; i < 4; i++) {
                    Path2D.Double path = new Path2D.Double();
                    path.moveTo(random.nextDouble() * width, random.nextDouble() * height);
                    for (int k = 0; k < 3; k++) {
                        path.curveTo(random.nextDouble() * width, random.nextDouble() * height, random.nextDouble() * width,
                                random.nextDouble() * height, random.nextDouble() * width, random.nextDouble() * height);
                    }
                    layer.setColor(new Color(255, 255, 255, 90 + random.nextInt(120)));
                    layer.draw(path);
                }
            } finally {
                layer.dispose();
            }
            image = SOFTEN.filter(image, null);
            pass.done(step);
        }
        return image;
    }

    private static long digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (hash[i] & 0xff);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
