package io.tollgate.kit.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The podman command line, as the tests that run our images use it: with the engine's configuration
 * of {@code deploy/images/containers.conf} (runc, cgroupfs, the ulimits this machine allows) unless
 * {@code CONTAINERS_CONF} names another. Only the JDK, so a module that takes the kit's test-jar
 * without its dependencies can use it.
 */
public final class Podman {

    private Podman() {
    }

    /** What a podman command printed (stdout and stderr together) and its exit code; -1 when it hung. */
    public record Result(int code, String out) {
    }

    /**
     * Whether the images' checks may run: {@code ./tollgate test} sets the engine and the base images up
     * first and says so with {@code TOLLGATE_IMAGE_CHECK=on}; podman must be on the PATH.
     */
    public static boolean available() {
        return "on".equals(System.getenv("TOLLGATE_IMAGE_CHECK")) && onPath("podman");
    }

    public static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code podman args...}, giving it a minute. */
    public static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putIfAbsent("CONTAINERS_CONF", LocalServers.root().resolve("deploy/images/containers.conf").toString());
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "podman " + String.join(" ", args) + " did not end");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
    }

    /**
     * Builds (or finds current) the images of the given service modules from what this build packaged,
     * with {@code deploy/images/images.sh services}; fails with its output.
     */
    public static void buildServiceImages(List<String> modules) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LocalServers.root().resolve("deploy/images/images.sh").toString(), "services"));
        command.addAll(modules);
        ProcessBuilder images = new ProcessBuilder(command).redirectErrorStream(true);
        // the build holds the repository's lock already (./tollgate test)
        images.environment().put("TOLLGATE_LOCK_HELD", "1");
        Process build = images.start();
        String built = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!build.waitFor(15, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new AssertionError("images.sh did not end:\n" + built);
        }
        if (build.exitValue() != 0) {
            throw new AssertionError("images.sh services failed:\n" + built);
        }
    }
}
