package io.tollgate.render.renderers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Debian program a renderer needs (ffmpeg, espeak-ng) with its input on stdin, never in its
 * arguments, and a deadline; a missing program or a failed run is a {@link Renderer.Failed}.
 */
final class Tools {

    private Tools() {
    }

    /** What a run left: its exit code and the tail of what it printed. */
    record Run(int exit, String output) {
    }

    /** Feeds {@code stdin} (written by {@code feeder}) and waits at most {@code seconds}. */
    static Run run(List<String> command, Path workDir, long seconds, Feeder feeder) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Renderer.Failed("tool_missing", command.get(0) + " is not installed here (deploy/local/tools.sh installs it)", false);
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(printed);
            } catch (IOException ignored) {
                // the process went away; what it printed so far is enough
            }
        });
        try (OutputStream stdin = process.getOutputStream()) {
            if (feeder != null) {
                feeder.feed(stdin);
            }
        } catch (IOException e) {
            // the program stopped reading (it failed): its exit code and output say why
        }
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new Renderer.Failed("render_timeout", command.get(0) + " did not finish within " + seconds + " s", false);
        }
        drain.join(1000);
        String output = printed.toString(StandardCharsets.UTF_8);
        return new Run(process.exitValue(), output.length() > 2000 ? output.substring(output.length() - 2000) : output);
    }

    /** Writes a program's standard input. */
    interface Feeder {
        void feed(OutputStream stdin) throws Exception;
    }

    static void check(Run run, String what) {
        if (run.exit() != 0) {
            throw new Renderer.Failed("render_error", what + " failed (exit " + run.exit() + "): " + run.output().strip(), false);
        }
    }
}
