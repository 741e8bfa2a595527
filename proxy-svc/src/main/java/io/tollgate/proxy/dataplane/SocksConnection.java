package io.tollgate.proxy.dataplane;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * SOCKS5 on a port's {@code socks_port} (RFC 1928) with username/password authentication only
 * (RFC 1929: a client that offers no method 0x02 gets 0xFF): CONNECT to an IPv4, IPv6 or domain
 * address; BIND and UDP ASSOCIATE are answered 0x07, other address types 0x08, and refusals with
 * the reply of {@link Relay.Refusal} (0x02 for what the rules forbid, a spent allowance included).
 */
final class SocksConnection extends Relay {

    private enum State { GREETING, AUTH, REQUEST, DONE }

    private Buffer pending = Buffer.buffer();
    private State state = State.GREETING;
    private long handshakeTimer;
    private final Door door;
    private Door.Admission admission;

    SocksConnection(DataPlane plane, NetSocket socket, Door door) {
        super(plane, socket);
        this.door = door;
    }

    void start() {
        handshakeTimer = vertx.setTimer(plane.handshakeTimeoutMs(), t -> {
            if (state != State.DONE) {
                close("handshake_timeout");
            }
        });
        client.socket.handler(this::fromClient);
    }

    private void fromClient(Buffer data) {
        pending.appendBuffer(data);
        if (pending.length() > 1024) {
            close("client_error");
            return;
        }
        while (!closed()) {
            int used = switch (state) {
                case GREETING -> greeting();
                case AUTH -> auth();
                case REQUEST -> request();
                case DONE -> 0;
            };
            if (used <= 0) {
                return;
            }
            pending = pending.getBuffer(used, pending.length());
        }
    }

    private int greeting() {
        if (pending.length() < 2) {
            return 0;
        }
        if (pending.getByte(0) != 5) {
            close("client_error");
            return -1;
        }
        int n = pending.getUnsignedByte(1);
        if (pending.length() < 2 + n) {
            return 0;
        }
        boolean password = false;
        for (int i = 0; i < n; i++) {
            password |= pending.getByte(2 + i) == 2;
        }
        if (!password) {
            plane.metrics().refused("auth_failed");
            client.socket.write(Buffer.buffer(new byte[] {5, (byte) 0xFF}));
            close("auth_failed");
            return -1;
        }
        client.socket.write(Buffer.buffer(new byte[] {5, 2}));
        state = State.AUTH;
        return 2 + n;
    }

    private int auth() {
        if (pending.length() < 2) {
            return 0;
        }
        int ulen = pending.getUnsignedByte(1);
        if (pending.length() < 3 + ulen) {
            return 0;
        }
        int plen = pending.getUnsignedByte(2 + ulen);
        if (pending.length() < 3 + ulen + plen) {
            return 0;
        }
        if (pending.getByte(0) != 1) {
            close("client_error");
            return -1;
        }
        String user = pending.getString(2, 2 + ulen, StandardCharsets.UTF_8.name());
        String password = pending.getString(3 + ulen, 3 + ulen + plen, StandardCharsets.UTF_8.name());
        Door.Admission a = door.admit(user, password);
        if (a == null) {
            plane.metrics().refused("auth_failed");
            client.socket.write(Buffer.buffer(new byte[] {1, 1}));
            close("auth_failed");
            return -1;
        }
        admission = a;
        session(a);
        client.socket.write(Buffer.buffer(new byte[] {1, 0}));
        state = State.REQUEST;
        return 3 + ulen + plen;
    }

    private int request() {
        if (pending.length() < 5) {
            return 0;
        }
        if (pending.getByte(0) != 5) {
            close("client_error");
            return -1;
        }
        int command = pending.getByte(1);
        int type = pending.getByte(3);
        int length;
        String host;
        switch (type) {
            case 1 -> {
                length = 4 + 4 + 2;
                if (pending.length() < length) {
                    return 0;
                }
                host = address(pending.getBytes(4, 8));
            }
            case 4 -> {
                length = 4 + 16 + 2;
                if (pending.length() < length) {
                    return 0;
                }
                host = address(pending.getBytes(4, 20));
            }
            case 3 -> {
                int n = pending.getUnsignedByte(4);
                length = 4 + 1 + n + 2;
                if (pending.length() < length) {
                    return 0;
                }
                host = pending.getString(5, 5 + n, StandardCharsets.US_ASCII.name());
            }
            default -> {
                reply(0x08);
                close("client_error");
                return -1;
            }
        }
        int destinationPort = pending.getUnsignedShort(length - 2);
        if (command != 1) {
            reply(0x07);
            close("client_error");
            return -1;
        }
        Buffer rest = pending.getBuffer(length, pending.length());
        pending = Buffer.buffer();
        state = State.DONE;
        client.hold();
        if (admission.refusal() != null) {
            plane.metrics().refused(admission.refusal().reason);
            reply(admission.refusal().socksReply);
            close(admission.refusal().reason);
            return -1;
        }
        LivePort p = door.current(admission.port());
        if (p == null) {
            reply(0x02);
            close("port_ended");
            return -1;
        }
        Http.Authority to = host == null ? null : Http.authority(host.contains(":") ? "[" + host + "]" : host, destinationPort);
        if (to == null) {
            reply(0x04);
            close("client_error");
            return -1;
        }
        open(p, to.host(), to.port(), Kind.SOCKS, opened -> {
            vertx.cancelTimer(handshakeTimer);
            reply(0x00);
            pass(upstream, client, opened.early(), opened.early(), false, () -> pass(client, upstream, rest, rest, true, () -> {
                client.release();
                pipe();
            }));
        }, r -> {
            reply(r.socksReply);
            close(r.reason);
        });
        return -1;
    }

    /** A reply with BND.ADDR 0.0.0.0:0: the address the device connects from is its own, not one to bind to. */
    private void reply(int code) {
        client.socket.write(Buffer.buffer(new byte[] {5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0}));
    }

    private static String address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
