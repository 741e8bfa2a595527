package io.tollgate.proxy.dataplane;

import io.tollgate.proxy.ports.Suspensions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * One customer connection on a port and, once made, its connection to the destination: every byte
 * between them is taken from the owner's traffic budget before it is written (what the budget
 * cannot give is not sent: the connection ends as {@code traffic_exhausted}), counted on the port,
 * and written with back-pressure (a side whose peer's queue is full is paused until it drains).
 * It runs on its client's event loop; anything from elsewhere comes back to it.
 */
abstract class Relay implements DataPlane.Session {

    /** A socket and how many reasons there are to keep it paused. */
    static final class Side {
        final NetSocket socket;
        private int holds;
        private boolean draining;

        Side(NetSocket socket) {
            this.socket = socket;
        }

        void hold() {
            if (holds++ == 0) {
                socket.pause();
            }
        }

        void release() {
            if (holds > 0 && --holds == 0) {
                socket.resume();
            }
        }
    }

    final DataPlane plane;
    final Vertx vertx;
    final Context context;
    final Side client;
    Side upstream;
    LivePort port;
    Allowances.Budget budget;
    Metering.Counter counter;
    /** The pool session the connection belongs to, or null. */
    PoolSession poolSession;
    private boolean closed;
    private boolean counted;
    private long totalTimer = -1;

    Relay(DataPlane plane, NetSocket socket) {
        this.plane = plane;
        this.vertx = plane.vertx();
        this.context = Vertx.currentContext();
        this.client = new Side(socket);
        // the end comes after the data before it, even while the socket is paused
        socket.endHandler(v -> close("client_closed"));
        socket.exceptionHandler(e -> close("client_error"));
    }

    /** The pool session an admission named; a connection keeps the first one it was admitted with. */
    void session(Door.Admission admission) {
        if (port == null && admission.session() != null) {
            poolSession = admission.session();
        }
    }

    /** The connection is the port's from now on: limits were passed, it counts as open. */
    void admitted(LivePort p) {
        port = p;
        budget = plane.allowances().budget(p);
        counter = plane.metering().counter(p);
        counted = true;
        plane.metrics().opened();
        plane.register(p.id(), this);
        if (poolSession != null) {
            poolSession.attach(this);
        }
        totalTimer = vertx.setTimer(plane.totalTimeoutMs(), t -> close("total_timeout"));
    }

    /** Why a connection is refused, as each protocol says it. */
    enum Refusal {
        TRAFFIC_EXHAUSTED("traffic_exhausted", 402, "Payment Required", 0x02, "The traffic allowance of this port's owner is spent; buy more traffic."),
        PORT_SUSPENDED("port_suspended", 403, "Forbidden", 0x02, "The port is suspended."),
        RATE_LIMITED("rate_limited", 429, "Too Many Requests", 0x02, "Too many connections to this port in the last minute."),
        PORT_FULL("port_full", 429, "Too Many Requests", 0x02, "The port carries as many connections as it may; close one first."),
        PORT_NOT_ALLOWED("port_not_allowed", 403, "Forbidden", 0x02, "This destination port is not allowed through the proxy."),
        DESTINATION_FORBIDDEN("destination_forbidden", 403, "Forbidden", 0x02, "The destination is a private or reserved address."),
        UNRESOLVABLE("unresolvable", 502, "Bad Gateway", 0x04, "The destination host name could not be resolved."),
        DEVICE_OFFLINE("device_offline", 502, "Bad Gateway", 0x03, "The port's device is offline."),
        DEVICE_UNREACHABLE("device_unreachable", 502, "Bad Gateway", 0x01, "The port's device did not carry the connection."),
        DESTINATION_REFUSED("destination_refused", 502, "Bad Gateway", 0x05, "The destination refused the connection."),
        CONNECT_TIMEOUT("connect_timeout", 504, "Gateway Timeout", 0x04, "The destination did not answer in time."),
        NO_EXIT("no_exit", 502, "Bad Gateway", 0x03, "No pool device fits these options now."),
        STICKY_GONE("sticky_gone", 502, "Bad Gateway", 0x03, "The session's device is gone (strict mode).");

        final String reason;
        final int status;
        final String title;
        final int socksReply;
        final String detail;

        Refusal(String reason, int status, String title, int socksReply, String detail) {
            this.reason = reason;
            this.status = status;
            this.title = title;
            this.socksReply = socksReply;
            this.detail = detail;
        }

        static Refusal of(String reason) {
            for (Refusal r : values()) {
                if (r.reason.equals(reason)) {
                    return r;
                }
            }
            return DEVICE_UNREACHABLE;
        }
    }

    /** What a connection asks for: a tunnel (CONNECT), a plain request (absolute-form) or a SOCKS5 CONNECT. */
    enum Kind { TUNNEL, PLAIN, SOCKS }

    /**
     * The checks every new connection passes, in order (the port's state, its limits, the owner's
     * traffic, the destination's port, its resolved address), then the connection through the
     * device; {@code opened} gets it paused, {@code refused} the first check that failed.
     */
    void open(LivePort p, String host, int destinationPort, Kind kind, Consumer<Egress.Opened> opened,
              Consumer<Refusal> refused) {
        if (!p.active()) {
            refuse(Suspensions.EXHAUSTED.equals(p.suspendedReason()) ? Refusal.TRAFFIC_EXHAUSTED : Refusal.PORT_SUSPENDED, refused);
            return;
        }
        if (port == null) {
            String limit = plane.limits(p).admit(p);
            if (limit != null) {
                refuse(Refusal.of(limit), refused);
                return;
            }
            admitted(p);
        }
        if (!budget.hasBytes()) {
            client.hold();
            Allowances.whenRefilled(budget, context, () -> {
                client.release();
                if (closed) {
                    return;
                }
                if (!budget.hasBytes()) {
                    refuse(Refusal.TRAFFIC_EXHAUSTED, refused);
                    return;
                }
                checked(p, host, destinationPort, kind, opened, refused);
            });
            return;
        }
        checked(p, host, destinationPort, kind, opened, refused);
    }

    private void checked(LivePort p, String host, int destinationPort, Kind kind, Consumer<Egress.Opened> opened,
                         Consumer<Refusal> refused) {
        Destinations d = plane.destinations();
        boolean portOk = switch (kind) {
            case TUNNEL -> d.tunnelPort(destinationPort);
            case PLAIN -> d.plainPort(destinationPort);
            case SOCKS -> d.socksPort(destinationPort);
        };
        if (!portOk) {
            refuse(Refusal.PORT_NOT_ALLOWED, refused);
            return;
        }
        vertx.<InetAddress>executeBlocking(() -> Destinations.resolve(host).getFirst(), false).onComplete(ar -> {
            if (closed) {
                return;
            }
            if (ar.failed()) {
                refuse(Refusal.UNRESOLVABLE, refused);
                return;
            }
            InetAddress address = ar.result();
            if (!d.allowed(address)) {
                refuse(Refusal.DESTINATION_FORBIDDEN, refused);
                return;
            }
            Egress.open(vertx, plane.client(), p, address, destinationPort, plane.connectTimeoutMs()).onComplete(e -> {
                if (e.failed()) {
                    refuse(e.cause() instanceof Egress.Failed f ? Refusal.of(f.reason) : Refusal.DEVICE_UNREACHABLE, refused);
                    return;
                }
                if (closed) {
                    e.result().socket().close();
                    return;
                }
                attach(e.result().socket());
                opened.accept(e.result());
            });
        });
    }

    private void refuse(Refusal r, Consumer<Refusal> refused) {
        plane.metrics().refused(r.reason);
        refused.accept(r);
    }

    void attach(NetSocket socket) {
        upstream = new Side(socket);
        socket.endHandler(v -> upstreamClosed());
        socket.exceptionHandler(e -> close("destination_error"));
    }

    /** The destination closed its side; a subclass may keep the client (a finished response). */
    void upstreamClosed() {
        close("destination_closed");
    }

    /**
     * Takes {@code metered.length()} bytes from the budget, writes {@code written} (the same bytes,
     * or a head rewritten from them) to the other side, counts them, then runs {@code then}. When
     * the budget gives only part, the part is written (a rewritten head is not) and the
     * connection ends; while a lease is being fetched the source is paused.
     */
    void pass(Side from, Side to, Buffer metered, Buffer written, boolean upload, Runnable then) {
        if (closed) {
            return;
        }
        int n = metered.length();
        if (n == 0) {
            if (written != null && written.length() > 0) {
                write(from, to, written);
            }
            then.run();
            return;
        }
        long granted = budget.take(n);
        if (granted == n) {
            count(upload, n);
            write(from, to, written);
            then.run();
            return;
        }
        boolean verbatim = written == metered;
        if (granted > 0) {
            if (verbatim) {
                count(upload, granted);
                write(from, to, metered.getBuffer(0, (int) granted));
            } else {
                budget.giveBackLocally(granted);
            }
        }
        Buffer restMetered = verbatim ? metered.getBuffer((int) (verbatim ? granted : 0), n) : metered;
        from.hold();
        Allowances.whenRefilled(budget, context, () -> {
            if (closed) {
                return;
            }
            if (!budget.hasBytes() && budget.exhausted()) {
                plane.metrics().refused("traffic_exhausted");
                close("traffic_exhausted");
                return;
            }
            // the rest goes before the source may speak (or end) again
            pass(from, to, restMetered, verbatim ? restMetered : written, upload, then);
            from.release();
        });
    }

    private void count(boolean upload, long n) {
        (upload ? counter.out : counter.in).addAndGet(n);
        if (poolSession != null) {
            (upload ? poolSession.out : poolSession.in).addAndGet(n);
        }
        plane.metrics().bytes(!upload, n);
    }

    private void write(Side from, Side to, Buffer data) {
        to.socket.write(data);
        if (to.socket.writeQueueFull() && !to.draining) {
            to.draining = true;
            from.hold();
            to.socket.drainHandler(v -> {
                to.socket.drainHandler(null);
                to.draining = false;
                from.release();
            });
        }
    }

    /** Plain piping both ways from now on (a CONNECT or SOCKS5 tunnel). */
    void pipe() {
        client.socket.handler(data -> pass(client, upstream, data, data, true, () -> { }));
        upstream.socket.handler(data -> pass(upstream, client, data, data, false, () -> { }));
        upstream.socket.resume();
        client.socket.resume();
    }

    @Override
    public void close(String reason) {
        if (Vertx.currentContext() != context) {
            context.runOnContext(v -> close(reason));
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        if (totalTimer >= 0) {
            vertx.cancelTimer(totalTimer);
        }
        client.socket.close();
        if (upstream != null) {
            upstream.socket.close();
        }
        if (counted) {
            plane.unregister(port.id(), this);
            if (poolSession != null) {
                poolSession.detach(this);
            }
            plane.limits(port).left();
            plane.metrics().closed(reason);
        }
    }

    boolean closed() {
        return closed;
    }
}
