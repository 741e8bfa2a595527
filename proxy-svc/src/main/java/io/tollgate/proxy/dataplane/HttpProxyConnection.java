package io.tollgate.proxy.dataplane;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * The HTTP proxy of a port's {@code http_port}: {@code CONNECT host:port} opens a tunnel;
 * absolute-form requests ({@code GET http://host/path}) are sent on in origin form, one
 * destination connection per request, and the customer's connection is kept for the next request
 * when the answer's length is known. Every request carries {@code Proxy-Authorization: Basic};
 * without it, or with the wrong one, the answer is 407 with {@code Proxy-Authenticate}. Refusals
 * are short problem texts with the status of {@link Relay.Refusal}.
 */
final class HttpProxyConnection extends Relay {

    private static final int MAX_HEAD = 16 * 1024;
    private static final Set<String> HOP = Set.of("proxy-authorization", "proxy-connection", "connection", "keep-alive", "expect", "te",
            "trailer", "upgrade", "proxy-authenticate");

    private Buffer pending = Buffer.buffer();
    private long handshakeTimer;
    private boolean keepAlive;
    private boolean headRequest;
    private long requestLeft;
    private boolean requestStreaming;
    private long responseLeft = -1;
    private boolean responseHeadDone;
    private boolean responseToClose;
    private Buffer responseHead;
    private boolean busy;

    private final Door door;

    HttpProxyConnection(DataPlane plane, NetSocket socket, Door door) {
        super(plane, socket);
        this.door = door;
    }

    void start() {
        handshakeTimer = vertx.setTimer(plane.handshakeTimeoutMs(), t -> {
            if (port == null) {
                close("handshake_timeout");
            }
        });
        client.socket.handler(this::fromClient);
    }

    private void fromClient(Buffer data) {
        if (busy) {
            if (requestLeft > 0 || requestStreaming) {
                body(data);
            } else {
                pending.appendBuffer(data);
                if (pending.length() > 4 * MAX_HEAD) {
                    close("client_error");
                }
            }
            return;
        }
        pending.appendBuffer(data);
        nextRequest();
    }

    private void nextRequest() {
        int end = Http.headEnd(pending);
        if (end < 0) {
            if (pending.length() > MAX_HEAD) {
                answer(431, "Request Header Fields Too Large", "The request head is too large.", true);
            }
            return;
        }
        Http.Head head = Http.parse(pending, end - 4);
        Buffer rest = pending.getBuffer(end, pending.length());
        pending = Buffer.buffer();
        if (head == null || !head.third().startsWith("HTTP/1.")) {
            answer(400, "Bad Request", "This is not an HTTP/1.1 request.", true);
            return;
        }
        busy = true;
        client.hold();
        Door.Admission admission = admission(head.field("Proxy-Authorization"));
        if (admission == null) {
            plane.metrics().refused("auth_failed");
            keepAlive = false;
            proxyAuthRequired();
            return;
        }
        keepAlive = head.third().equals("HTTP/1.1") && !head.has("Connection", "close") && !head.has("Proxy-Connection", "close");
        if (admission.refusal() != null) {
            plane.metrics().refused(admission.refusal().reason);
            refused(admission.refusal());
            return;
        }
        LivePort p = admission.port();
        session(admission);
        if (head.first().equals("CONNECT")) {
            connect(p, head, rest);
        } else {
            forward(p, head, rest);
        }
    }

    private Door.Admission admission(String value) {
        if (value == null || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 ? door.admit(decoded.substring(0, colon), decoded.substring(colon + 1)) : null;
    }

    private void connect(LivePort p, Http.Head head, Buffer rest) {
        Http.Authority to = Http.authority(head.second(), -1);
        if (to == null) {
            answer(400, "Bad Request", "CONNECT needs host:port.", true);
            return;
        }
        open(p, to.host(), to.port(), Kind.TUNNEL, opened -> {
            vertx.cancelTimer(handshakeTimer);
            client.socket.write("HTTP/1.1 200 Connection established\r\n\r\n");
            pass(upstream, client, opened.early(), opened.early(), false, () -> pass(client, upstream, rest, rest, true, () -> {
                client.release();
                pipe();
            }));
        }, this::refused);
    }

    private void forward(LivePort p, Http.Head head, Buffer rest) {
        String target = head.second();
        if (!target.regionMatches(true, 0, "http://", 0, 7)) {
            answer(400, "Bad Request", target.regionMatches(true, 0, "https://", 0, 8)
                    ? "Use CONNECT for https destinations." : "A proxy request names its destination: GET http://host/path.", true);
            return;
        }
        int slash = target.indexOf('/', 7);
        int query = target.indexOf('?', 7);
        int cut = slash < 0 ? query : query < 0 ? slash : Math.min(slash, query);
        String authority = cut < 0 ? target.substring(7) : target.substring(7, cut);
        String path = cut < 0 ? "/" : target.substring(cut);
        if (path.startsWith("?")) {
            path = "/" + path;
        }
        Http.Authority to = Http.authority(authority, 80);
        if (to == null || authority.contains("@")) {
            answer(400, "Bad Request", "The destination is not a host and port.", true);
            return;
        }
        String length = head.field("Content-Length");
        requestStreaming = head.has("Transfer-Encoding", "chunked");
        if (length != null && !requestStreaming) {
            if (!length.matches("[0-9]{1,18}")) {
                answer(400, "Bad Request", "Content-Length is not a number.", true);
                return;
            }
            requestLeft = Long.parseLong(length);
        } else {
            requestLeft = 0;
        }
        if (requestStreaming) {
            keepAlive = false;
        }
        headRequest = head.first().equals("HEAD");
        boolean expectsContinue = head.has("Expect", "100-continue");
        StringBuilder out = new StringBuilder(512).append(head.first()).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String[] f : head.fields()) {
            String name = f[0].toLowerCase(Locale.ROOT);
            if (HOP.contains(name) || head.has("Connection", f[0])) {
                continue;
            }
            host |= name.equals("host");
            out.append(f[0]).append(": ").append(f[1]).append("\r\n");
        }
        if (!host) {
            out.append("Host: ").append(authority).append("\r\n");
        }
        out.append("Connection: close\r\n\r\n");
        Buffer requestHead = Buffer.buffer(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        open(p, to.host(), to.port(), Kind.PLAIN, opened -> {
            vertx.cancelTimer(handshakeTimer);
            responseHeadDone = false;
            responseLeft = -1;
            responseToClose = false;
            responseHead = Buffer.buffer();
            upstream.socket.handler(this::fromUpstream);
            if (expectsContinue) {
                client.socket.write("HTTP/1.1 100 Continue\r\n\r\n");
            }
            pass(client, upstream, requestHead, requestHead, true, () -> {
                if (opened.early().length() > 0) {
                    fromUpstream(opened.early());
                }
                upstream.socket.resume();
                client.release();
                body(rest);
            });
        }, this::refused);
    }

    /** Request body bytes: up to what Content-Length says (the rest is the next request), or all while streaming. */
    private void body(Buffer data) {
        if (data.length() == 0) {
            return;
        }
        if (requestStreaming) {
            pass(client, upstream, data, data, true, () -> { });
            return;
        }
        int take = (int) Math.min(requestLeft, data.length());
        Buffer part = data.getBuffer(0, take);
        Buffer after = data.getBuffer(take, data.length());
        requestLeft -= take;
        pass(client, upstream, part, part, true, () -> {
            if (after.length() > 0) {
                pending.appendBuffer(after);
            }
        });
    }

    private void fromUpstream(Buffer data) {
        if (responseHeadDone) {
            responseBody(data);
            return;
        }
        responseHead.appendBuffer(data);
        int end = Http.headEnd(responseHead);
        if (end < 0) {
            if (responseHead.length() > MAX_HEAD) {
                close("destination_error");
            }
            return;
        }
        Buffer raw = responseHead.getBuffer(0, end);
        Buffer after = responseHead.getBuffer(end, responseHead.length());
        Http.Head head = Http.parse(raw, end - 4);
        if (head == null) {
            close("destination_error");
            return;
        }
        responseHeadDone = true;
        int status = head.second().matches("[0-9]{3}") ? Integer.parseInt(head.second()) : 502;
        String length = head.field("Content-Length");
        boolean chunked = head.has("Transfer-Encoding", "chunked");
        if (headRequest || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            responseLeft = 0;
        } else if (length != null && !chunked && length.matches("[0-9]{1,18}")) {
            responseLeft = Long.parseLong(length);
        } else {
            responseToClose = true;
        }
        boolean keep = keepAlive && !responseToClose;
        StringBuilder out = new StringBuilder(512).append(head.first()).append(' ').append(head.second()).append(' ').append(head.third())
                .append("\r\n");
        for (String[] f : head.fields()) {
            String name = f[0].toLowerCase(Locale.ROOT);
            if (name.equals("connection") || name.equals("keep-alive") || name.equals("proxy-connection")) {
                continue;
            }
            out.append(f[0]).append(": ").append(f[1]).append("\r\n");
        }
        out.append(keep ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
        keepAlive = keep;
        pass(upstream, client, raw, Buffer.buffer(out.toString().getBytes(StandardCharsets.ISO_8859_1)), false, () -> {
            if (responseLeft == 0) {
                responseDone();
            } else if (after.length() > 0) {
                responseBody(after);
            }
        });
    }

    private void responseBody(Buffer data) {
        if (responseToClose) {
            pass(upstream, client, data, data, false, () -> { });
            return;
        }
        int take = (int) Math.min(responseLeft, data.length());
        Buffer part = data.getBuffer(0, take);
        responseLeft -= take;
        pass(upstream, client, part, part, false, () -> {
            if (responseLeft == 0) {
                responseDone();
            }
        });
    }

    @Override
    void upstreamClosed() {
        if (responseHeadDone && responseLeft == 0 && !responseToClose) {
            return;
        }
        close("destination_closed");
    }

    /** The answer is whole: the destination connection ends; the customer's stays for the next request if it may. */
    private void responseDone() {
        if (!keepAlive || requestLeft > 0 || requestStreaming) {
            close("done");
            return;
        }
        Side done = upstream;
        upstream = null;
        done.socket.handler(null);
        done.socket.endHandler(null);
        done.socket.exceptionHandler(null);
        done.socket.close();
        busy = false;
        nextRequest();
    }

    private void refused(Refusal r) {
        if (r == Refusal.TRAFFIC_EXHAUSTED) {
            keepAlive = false;
        }
        answer(r.status, r.title, r.detail, !keepAlive || r != Refusal.PORT_NOT_ALLOWED && r != Refusal.DESTINATION_FORBIDDEN);
        if (!closed()) {
            busy = false;
            client.release();
            nextRequest();
        }
    }

    private void proxyAuthRequired() {
        String body = problem(407, "Proxy Authentication Required", "Give the port's login and password (Proxy-Authorization: Basic).");
        client.socket.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"tollgate\"\r\n"
                + "Content-Type: application/problem+json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        close("auth_failed");
    }

    /** A short problem text to the customer; {@code last} ends the connection after it. */
    private void answer(int status, String title, String detail, boolean last) {
        String body = problem(status, title, detail);
        client.socket.write("HTTP/1.1 " + status + " " + title + "\r\nContent-Type: application/problem+json\r\nContent-Length: "
                + body.length() + (last ? "\r\nConnection: close" : "") + "\r\n\r\n" + body);
        if (last) {
            close(status == 402 ? "traffic_exhausted" : "refused");
        }
    }

    private static String problem(int status, String title, String detail) {
        String code = switch (status) {
            case 402 -> "TRAFFIC_EXHAUSTED";
            case 407 -> "PROXY_AUTH_REQUIRED";
            case 429 -> "RATE_LIMITED";
            case 403 -> "DESTINATION_REFUSED";
            case 504 -> "DESTINATION_TIMEOUT";
            case 400, 431 -> "BAD_REQUEST";
            default -> "BAD_GATEWAY";
        };
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"code\":\"" + code + "\",\"detail\":\""
                + detail + "\"}";
    }
}
