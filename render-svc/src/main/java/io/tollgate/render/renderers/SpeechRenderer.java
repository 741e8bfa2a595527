package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Speech from text with espeak-ng (from Debian): the text goes in on standard input, a WAV comes
 * out, turned into MP3 by ffmpeg when asked. Priced per second of what came out; the estimate is
 * an upper bound from the text's length and the speed, so the charge is at most what was held
 * and the rest is released.
 */
@ApplicationScoped
public class SpeechRenderer implements Renderer {

    @Override
    public String name() {
        return "speech";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) throws Exception {
        String text = input.path("text").asText();
        String voice = input.path("voice").asText("en");
        int speed = input.path("speed").asInt(175);
        String format = input.path("output_format").asText("wav");
        Path dir = Files.createTempDirectory("tollgate-speech");
        try {
            Path wav = dir.resolve("speech.wav");
            progress.step(0, 2, "speaking " + text.length() + " characters");
            Tools.check(Tools.run(List.of("espeak-ng", "-v", voice, "-s", Integer.toString(speed), "-w", wav.toString(), "--stdin"), dir,
                    60, stdin -> stdin.write(text.getBytes(StandardCharsets.UTF_8))), "espeak-ng");
            byte[] bytes = Files.readAllBytes(wav);
            int durationMs = wavDurationMs(bytes);
            if (progress.cancelled()) {
                throw new Cancelled();
            }
            String type = "audio/wav";
            if (format.equals("mp3")) {
                Path mp3 = dir.resolve("speech.mp3");
                Tools.check(Tools.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", wav.toString(), "-codec:a",
                        "libmp3lame", "-q:a", "4", "-y", mp3.toString()), dir, 60, null), "ffmpeg");
                bytes = Files.readAllBytes(mp3);
                type = "audio/mpeg";
            }
            progress.step(2, 2, "spoken: " + durationMs + " ms");
            progress.log("info", "spoke " + durationMs + " ms with voice " + voice + " at " + speed + " words a minute");
            return new Rendered(List.of(new File(bytes, type, null, null, durationMs)),
                    BigDecimal.valueOf(durationMs).divide(BigDecimal.valueOf(1000), 3, RoundingMode.UP));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The length of a PCM WAV from its header: data bytes over bytes per second. */
    static int wavDurationMs(byte[] wav) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (wav.length < 44 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new Failed("render_error", "espeak-ng did not write a WAV file", false);
        }
        int byteRate = 0;
        int at = 12;
        while (at + 8 <= wav.length) {
            int id = b.getInt(at);
            int size = b.getInt(at + 4);
            if (id == 0x20746d66) { // "fmt "
                byteRate = b.getInt(at + 16);
            } else if (id == 0x61746164) { // "data"
                long dataSize = size <= 0 || at + 8L + size > wav.length ? wav.length - at - 8L : size;
                return byteRate == 0 ? 0 : (int) (dataSize * 1000 / byteRate);
            }
            at += 8 + Math.max(0, size) + (size & 1);
        }
        throw new Failed("render_error", "espeak-ng's WAV file has no data", false);
    }
}
