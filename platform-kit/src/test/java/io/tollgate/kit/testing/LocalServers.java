package io.tollgate.kit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts the real local servers (deploy/local) from a test, to prove what happens
 * while PostgreSQL, Redis or Kafka is gone; under {@code TOLLGATE_INFRA=containers} it stops and
 * starts the JVM's containers instead ({@link ContainerServers}). The suite shares one set of
 * servers, so a test that stops one must start it again before it ends.
 */
public final class LocalServers {

    private LocalServers() {
    }

    public static Path root() {
        String root = System.getProperty("tollgate.root");
        Path path = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        while (path != null && !Files.exists(path.resolve("deploy/local/infra.sh"))) {
            path = path.getParent();
        }
        if (path == null) {
            throw new IllegalStateException("cannot find deploy/local from " + root);
        }
        return path;
    }

    public static void stop(String server) {
        if (ContainerServers.containerId(server) != null) {
            ContainerServers.stop(server);
        } else {
            run(server, "stop");
        }
    }

    public static void start(String server) {
        if (ContainerServers.containerId(server) != null) {
            ContainerServers.start(server);
        } else {
            run(server, "start");
        }
    }

    private static void run(String server, String action) {
        Path script = root().resolve("deploy/local/" + server + ".sh");
        try {
            Process process = new ProcessBuilder("bash", script.toString(), action)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "local-servers.log").toFile()))
                    .start();
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(server + " " + action + " failed (see target/local-servers.log)");
            }
        } catch (IOException e) {
            throw new IllegalStateException(server + " " + action + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
