package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;
import jakarta.enterprise.context.ApplicationScoped;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** A cover: the title (wrapped, as large as fits) and an optional subtitle set on a gradient. */
@ApplicationScoped
public class TextCoverRenderer implements Renderer {

    @Override
    public String name() {
        return "text-cover";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) throws Exception {
        int width = input.path("width").asInt(1200);
        int height = input.path("height").asInt(630);
        String format = input.path("output_format").asText("png");
        progress.step(0, 1, "setting the title");
        BufferedImage image = Images.canvas(width, height);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, new Color(0x1f2a44), width, height, new Color(0x6b4fbb)));
            g.fillRect(0, 0, width, height);
            int margin = width / 12;
            int size = Math.max(16, height / 6);
            List<String> lines;
            do {
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
                lines = wrap(input.path("title").asText(), g.getFontMetrics(), width - 2 * margin);
                size -= 2;
            } while (size > 12 && lines.size() * g.getFontMetrics().getHeight() > height * 0.6);
            g.setColor(Color.WHITE);
            int y = margin + g.getFontMetrics().getAscent();
            for (String line : lines) {
                g.drawString(line, margin, y);
                y += g.getFontMetrics().getHeight();
            }
            String subtitle = input.path("subtitle").asText("");
            if (!subtitle.isEmpty()) {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(12, size / 2)));
                g.setColor(new Color(255, 255, 255, 200));
                g.drawString(subtitle, margin, Math.min(height - margin, y + g.getFontMetrics().getHeight()));
            }
        } finally {
            g.dispose();
        }
        progress.step(1, 1, "done");
        return new Rendered(List.of(new File(Images.encode(image, format), Images.contentType(format), width, height, null)),
                BigDecimal.ONE);
    }

    private static List<String> wrap(String text, FontMetrics metrics, int maxWidth) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (metrics.stringWidth(candidate) <= maxWidth || line.isEmpty()) {
                line = new StringBuilder(candidate);
            } else {
                lines.add(line.toString());
                line = new StringBuilder(word);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
