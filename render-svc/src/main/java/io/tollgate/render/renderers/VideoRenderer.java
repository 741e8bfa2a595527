package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.pricing.Pricing;
import jakarta.enterprise.context.ApplicationScoped;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A short H.264 MP4 of generated frames: the prompt and seed pick a palette and a handful of orbs
 * that drift across a moving gradient; each frame is drawn here and piped raw to ffmpeg (from
 * Debian) as it is made. The video lasts exactly {@code duration_seconds} at {@code fps}, which is
 * what is charged (per second).
 */
@ApplicationScoped
public class VideoRenderer implements Renderer {

    private final Pricing pricing;

    public VideoRenderer(Pricing pricing) {
        this.pricing = pricing;
    }

    @Override
    public String name() {
        return "frames-video";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) throws Exception {
        String prompt = input.path("prompt").asText();
        long seed = input.path("seed").asLong(0);
        int width = input.path("width").asInt(320) & ~1;
        int height = input.path("height").asInt(240) & ~1;
        int fps = input.path("fps").asInt(24);
        int seconds = input.path("duration_seconds").asInt(3);
        int frames = fps * seconds;
        SplittableRandom random = new SplittableRandom(seedOf(prompt, seed));
        Color from = Color.getHSBColor(random.nextFloat(), 0.6f, 0.85f);
        Color to = Color.getHSBColor(random.nextFloat(), 0.7f, 0.35f);
        int orbs = 3 + random.nextInt(4);
        double[][] motion = new double[orbs][6];
        for (double[] orb : motion) {
            orb[0] = random.nextDouble() * width;
            orb[1] = random.nextDouble() * height;
            orb[2] = (random.nextDouble() - 0.5) * width / 2.0;
            orb[3] = (random.nextDouble() - 0.5) * height / 2.0;
            orb[4] = 0.1 + random.nextDouble() * 0.25;
            orb[5] = random.nextFloat();
        }
        Path dir = Files.createTempDirectory("tollgate-video");
        try {
            Path out = dir.resolve("out.mp4");
            BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            byte[] rgb = new byte[width * height * 3];
            Tools.Run run = Tools.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24",
                    "-s", width + "x" + height, "-r", Integer.toString(fps), "-i", "pipe:0", "-frames:v", Integer.toString(frames),
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-y", out.toString()),
                    dir, 120, stdin -> {
                        for (int i = 0; i < frames; i++) {
                            if (progress.cancelled()) {
                                throw new Cancelled();
                            }
                            draw(frame, i / (double) frames, from, to, motion);
                            byte[] pixels = ((java.awt.image.DataBufferByte) frame.getRaster().getDataBuffer()).getData();
                            System.arraycopy(pixels, 0, rgb, 0, rgb.length);
                            stdin.write(rgb);
                            if (i % fps == fps - 1) {
                                progress.step(i + 1, frames, "frame " + (i + 1) + " of " + frames);
                            }
                        }
                    });
            Tools.check(run, "ffmpeg");
            byte[] mp4 = Files.readAllBytes(out);
            progress.step(frames, frames, "encoded");
            progress.log("info", "encoded " + frames + " frames of " + width + "x" + height + " at " + fps + " fps");
            return new Rendered(List.of(new File(mp4, "video/mp4", width, height, seconds * 1000)), pricing.quantity(model, input));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void draw(BufferedImage frame, double t, Color from, Color to, double[][] motion) {
        int w = frame.getWidth();
        int h = frame.getHeight();
        Graphics2D g = frame.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, (float) (h * t), from, w, (float) (h * (1 - t)), to));
            g.fillRect(0, 0, w, h);
            for (double[] orb : motion) {
                double r = orb[4] * Math.min(w, h);
                double x = orb[0] + orb[2] * Math.sin(2 * Math.PI * t);
                double y = orb[1] + orb[3] * Math.cos(2 * Math.PI * t);
                Color c = Color.getHSBColor((float) ((orb[5] + t / 3) % 1.0), 0.5f, 1f);
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
                g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
            }
        } finally {
            g.dispose();
        }
    }

    private static long seedOf(String prompt, long seed) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((prompt + "\u0000" + seed).getBytes(StandardCharsets.UTF_8));
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (digest[i] & 0xFF);
        }
        return value;
    }
}
