package io.tollgate.identity.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny authoritative DNS server on a loopback UDP port that answers TXT queries (RFC 1035 wire
 * format) from records a test publishes, standing in for a tenant's DNS provider.
 */
public class StubDns implements QuarkusTestResourceLifecycleManager {

    // System properties, not a static map: the test and the server may live in different class loaders.
    private static final String PREFIX = "tollgate.test.dns.txt.";
    private DatagramSocket socket;

    public static void publish(String name, String value) {
        System.setProperty(PREFIX + name.toLowerCase(Locale.ROOT), value);
    }

    @Override
    public Map<String, String> start() {
        try {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofPlatform().daemon().name("stub-dns").start(this::serve);
        return Map.of("tollgate.identity.dns-server", "127.0.0.1:" + socket.getLocalPort());
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] reply = answer(packet.getData(), packet.getLength());
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    static byte[] answer(byte[] query, int length) {
        int offset = 12;
        StringBuilder name = new StringBuilder();
        while (query[offset] != 0) {
            int label = query[offset] & 0xFF;
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(query, offset + 1, label, StandardCharsets.US_ASCII));
            offset += label + 1;
        }
        int questionEnd = offset + 5; // the root byte, QTYPE and QCLASS
        String published = System.getProperty(PREFIX + name.toString().toLowerCase(Locale.ROOT));
        List<String> values = published == null ? List.of() : List.of(published);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]);
        out.write(0x81);
        out.write(values.isEmpty() ? 0x83 : 0x80); // NXDOMAIN when there is nothing
        writeShort(out, 1);
        writeShort(out, values.size());
        writeShort(out, 0);
        writeShort(out, 0);
        out.write(query, 12, questionEnd - 12);
        for (String value : values) {
            byte[] text = value.getBytes(StandardCharsets.US_ASCII);
            writeShort(out, 0xC00C); // the name, as a pointer to the question
            writeShort(out, 16);     // TXT
            writeShort(out, 1);      // IN
            writeShort(out, 0);
            writeShort(out, 60);     // TTL
            writeShort(out, text.length + 1);
            out.write(text.length);
            out.write(text, 0, text.length);
        }
        return out.toByteArray();
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xFF);
        out.write(value & 0xFF);
    }

    @Override
    public void stop() {
        if (socket != null) {
            socket.close();
        }
    }
}
