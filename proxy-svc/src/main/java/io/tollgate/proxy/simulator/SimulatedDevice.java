package io.tollgate.proxy.simulator;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One simulated phone or modem. While online it listens on its own loopback address with a tunnel
 * (HTTP {@code CONNECT host:port}) whose outgoing connections leave from that same address, so what
 * a target sees as the caller is the device's public address; {@code GET /ip} answers it too. An
 * airplane-mode reset closes the tunnel and opens it again on a new address. IPv6 destinations are
 * reached from {@code ::1}, the one IPv6 loopback address a host has.
 */
public final class SimulatedDevice {

    private static final Logger LOG = Logger.getLogger(SimulatedDevice.class);
    private static final int MAX_HEAD = 8192;

    /** What the device is and where its SIM is. */
    public record Spec(String imei, String type, String name, String country, String city, String carrier, String brand, String mcc,
                       String mnc, boolean isPrivate) {
    }

    private final Spec spec;
    private volatile InetAddress address;
    private volatile ServerSocket tunnel;
    private volatile boolean online;
    volatile boolean registered;

    SimulatedDevice(Spec spec, InetAddress address) {
        this.spec = spec;
        this.address = address;
    }

    public Spec spec() {
        return spec;
    }

    /** The device's public address now (a loopback address). */
    public String address() {
        return address.getHostAddress();
    }

    public boolean online() {
        return online;
    }

    /** Where the tunnel listens, or 0 while the device is offline. */
    public int tunnelPort() {
        ServerSocket socket = tunnel;
        return socket == null || socket.isClosed() ? 0 : socket.getLocalPort();
    }

    synchronized void up(InetAddress newAddress) throws IOException {
        if (online && newAddress.equals(address)) {
            return;
        }
        down();
        address = newAddress;
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(address, 0), 64);
        tunnel = socket;
        online = true;
        Thread.ofVirtual().name("device-" + spec.imei()).start(() -> accept(socket));
    }

    synchronized void down() {
        online = false;
        ServerSocket socket = tunnel;
        tunnel = null;
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debugf("device %s: closing its tunnel failed: %s", spec.imei(), e.getMessage());
            }
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            // the head has a deadline; a tunnel may then stay quiet as long as its ends like
            client.setSoTimeout(0);
            String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
            if (line.length == 3 && line[0].equals("GET") && line[1].equals("/ip")) {
                byte[] body = address().getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                return;
            }
            if (line.length != 3 || !line[0].equals("CONNECT") || line[1].lastIndexOf(':') < 1) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String host = line[1].substring(0, line[1].lastIndexOf(':'));
            int port = Integer.parseInt(line[1].substring(line[1].lastIndexOf(':') + 1));
            try (Socket upstream = new Socket()) {
                InetAddress target = InetAddress.getByName(host);
                // the simulator's devices share one IPv6 address, the host's ::1
                upstream.bind(new InetSocketAddress(target instanceof Inet6Address ? InetAddress.getByName("::1") : address, 0));
                upstream.connect(new InetSocketAddress(target, port), 5000);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
                pipe(client, upstream);
                back.join(30_000);
            } catch (IOException e) {
                out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("device %s: tunnel ended: %s", spec.imei(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // either side went away; the other copy ends with it
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.length() > MAX_HEAD) {
                return null;
            }
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }
}
