package io.tollgate.proxy.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A connection to a destination through the port's device: the device's tunnel is asked to
 * {@code CONNECT} to the address already resolved and checked here (never a name, so the device
 * cannot resolve it to somewhere else), and its outgoing connection leaves from the device's own
 * address, which is what the destination sees.
 */
final class Egress {

    /** Why no connection was made. */
    static final class Failed extends RuntimeException {
        final String reason;

        Failed(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** The connection, paused, and what the device sent beyond its answer (already the destination's). */
    record Opened(NetSocket socket, Buffer early) {
    }

    private static final int MAX_ANSWER = 8192;

    private Egress() {
    }

    static Future<Opened> open(Vertx vertx, NetClient client, LivePort port, InetAddress address, int destinationPort, long answerTimeoutMs) {
        Promise<Opened> done = Promise.promise();
        if (!port.deviceOnline() || port.deviceHost() == null || port.tunnelPort() == null || port.tunnelPort() == 0) {
            done.fail(new Failed("device_offline", "The port's device is offline."));
            return done.future();
        }
        client.connect(port.tunnelPort(), port.deviceHost()).onComplete(ar -> {
            if (ar.failed()) {
                done.fail(new Failed("device_unreachable", "The port's device did not answer."));
                return;
            }
            NetSocket socket = ar.result();
            Buffer answer = Buffer.buffer();
            long timer = vertx.setTimer(answerTimeoutMs, t -> {
                if (done.tryFail(new Failed("connect_timeout", "The destination did not answer in time."))) {
                    socket.close();
                }
            });
            socket.closeHandler(v -> {
                vertx.cancelTimer(timer);
                done.tryFail(new Failed("device_unreachable", "The port's device closed the tunnel."));
            });
            socket.handler(data -> {
                answer.appendBuffer(data);
                int end = Http.headEnd(answer);
                if (end < 0) {
                    if (answer.length() > MAX_ANSWER) {
                        vertx.cancelTimer(timer);
                        socket.close();
                        done.tryFail(new Failed("device_unreachable", "The port's device answered nonsense."));
                    }
                    return;
                }
                vertx.cancelTimer(timer);
                socket.pause();
                socket.handler(null);
                socket.closeHandler(null);
                String status = answer.getString(0, Math.min(end, answer.length()), StandardCharsets.ISO_8859_1.name());
                if (status.startsWith("HTTP/1.1 200") || status.startsWith("HTTP/1.0 200")) {
                    done.tryComplete(new Opened(socket, answer.getBuffer(end, answer.length())));
                } else {
                    socket.close();
                    done.tryFail(new Failed("destination_refused", "The destination refused the connection."));
                }
            });
            String target = literal(address) + ":" + destinationPort;
            socket.write("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
        });
        return done.future();
    }

    static String literal(InetAddress address) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        if (scope >= 0) {
            text = text.substring(0, scope);
        }
        return address instanceof Inet6Address ? "[" + text + "]" : text;
    }
}
