package io.tollgate.kit.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers a test starts later in another process (a service, a pod). A port the kernel hands
 * out for {@code bind(0)} comes from the ephemeral range, which is also where every outgoing connection
 * on the machine takes its local port: between the moment a test picks one and the moment the server
 * binds it, a client connection (to Kafka, PostgreSQL, a container's mapped port) can take it, and the
 * server fails with "address in use". So these come from below that range, where nothing is handed out
 * by the kernel; each is checked free by binding it, and all stay bound until the whole set is chosen,
 * so none is given twice. Only the JDK, so a module taking the kit's test-jar alone can use it.
 */
public final class Ports {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10000;

    private Ports() {
    }

    /** {@code count} distinct ports free now, none in the kernel's ephemeral range. */
    public static synchronized List<Integer> free(int count) throws IOException {
        int below = ephemeralLow();
        Set<Integer> tried = new HashSet<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < count) {
                if (tried.size() >= below - LOWEST) {
                    throw new IOException("no free port between " + LOWEST + " and " + below);
                }
                int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
                if (!tried.add(port)) {
                    continue;
                }
                ServerSocket socket = new ServerSocket();
                try {
                    socket.setReuseAddress(false);
                    socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
                } catch (IOException taken) {
                    socket.close();
                    continue;
                }
                held.add(socket);
                ports.add(port);
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    /** One port free now, outside the ephemeral range. */
    public static int free() throws IOException {
        return free(1).get(0);
    }

    /** The lowest port of the kernel's ephemeral range (Linux), or the IANA range's 49152 elsewhere. */
    static int ephemeralLow() {
        try {
            String[] range = Files.readString(RANGE).trim().split("\\s+");
            int low = Integer.parseInt(range[0]);
            return low > LOWEST + 1000 ? low : 49152;
        } catch (IOException | RuntimeException e) {
            return 49152;
        }
    }
}
