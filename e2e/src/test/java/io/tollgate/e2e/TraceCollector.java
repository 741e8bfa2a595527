package io.tollgate.e2e;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * What an OpenTelemetry collector is to the fleet: an OTLP/HTTP receiver ({@code POST /v1/traces},
 * {@code application/x-protobuf}) that keeps the spans the services export. The request is read
 * with protobuf's own wire reader, field by field of {@code opentelemetry/proto/trace/v1/trace.proto}
 * (only the fields the journeys look at; the rest are skipped as the wire format allows).
 */
final class TraceCollector implements AutoCloseable {

    /** {@code Span.SpanKind} of the OTLP protocol. */
    static final int SERVER = 2, CLIENT = 3, PRODUCER = 4, CONSUMER = 5;
    /** Spans kept at most: the oldest go first, the journeys look at their own recent traces. */
    private static final int KEPT = 200_000;

    record Span(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
                Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Span> spans = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();

    private TraceCollector(HttpServer server) {
        this.server = server;
    }

    static TraceCollector start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            TraceCollector collector = new TraceCollector(server);
            server.createContext("/v1/traces", collector::receive);
            server.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("otlp-receiver-", 0).factory()));
            server.start();
            return collector;
        } catch (IOException e) {
            throw new IllegalStateException("the OTLP receiver did not start", e);
        }
    }

    /** The base address the services export to (they append {@code /v1/traces}). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The spans of one trace received so far. */
    List<Span> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            List<Span> received;
            try {
                received = exportRequest(CodedInputStream.newInstance(body.readAllBytes()));
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            for (Span span : received) {
                spans.addLast(span);
                if (size.incrementAndGet() > KEPT && spans.pollFirst() != null) {
                    size.decrementAndGet();
                }
            }
            // an empty ExportTraceServiceResponse: every span accepted
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /** ExportTraceServiceRequest: 1 = repeated ResourceSpans. */
    private static List<Span> exportRequest(CodedInputStream in) throws IOException {
        List<Span> out = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                resourceSpans(in.readBytes().newCodedInput(), out);
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    /** ResourceSpans: 1 = Resource (1 = repeated KeyValue attributes), 2 = repeated ScopeSpans. */
    private static void resourceSpans(CodedInputStream in, List<Span> out) throws IOException {
        String service = "";
        List<byte[]> scopes = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    CodedInputStream resource = in.readBytes().newCodedInput();
                    for (int t; (t = resource.readTag()) != 0; ) {
                        if (WireFormat.getTagFieldNumber(t) == 1) {
                            String[] kv = keyValue(resource.readBytes().newCodedInput());
                            if ("service.name".equals(kv[0])) {
                                service = kv[1];
                            }
                        } else {
                            resource.skipField(t);
                        }
                    }
                }
                case 2 -> scopes.add(in.readByteArray());
                default -> in.skipField(tag);
            }
        }
        for (byte[] scope : scopes) {
            CodedInputStream s = CodedInputStream.newInstance(scope);
            // ScopeSpans: 2 = repeated Span
            for (int tag; (tag = s.readTag()) != 0; ) {
                if (WireFormat.getTagFieldNumber(tag) == 2) {
                    out.add(span(service, s.readBytes().newCodedInput()));
                } else {
                    s.skipField(tag);
                }
            }
        }
    }

    /** Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 repeated KeyValue attributes. */
    private static Span span(String service, CodedInputStream in) throws IOException {
        HexFormat hex = HexFormat.of();
        String traceId = "", spanId = "", parent = "", name = "";
        int kind = 0;
        Map<String, String> attributes = new HashMap<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> traceId = hex.formatHex(in.readByteArray());
                case 2 -> spanId = hex.formatHex(in.readByteArray());
                case 4 -> parent = hex.formatHex(in.readByteArray());
                case 5 -> name = in.readString();
                case 6 -> kind = in.readEnum();
                case 9 -> {
                    String[] kv = keyValue(in.readBytes().newCodedInput());
                    if (kv[0].startsWith("tollgate.") || kv[0].startsWith("messaging.")) {
                        attributes.put(kv[0], kv[1]); // ours and the messaging ones; a run's SQL text would fill the heap
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return new Span(service, traceId, spanId, parent, name, kind, Map.copyOf(attributes));
    }

    /** KeyValue: 1 key, 2 AnyValue (1 string, 2 bool, 3 int); other values are kept as "". */
    private static String[] keyValue(CodedInputStream in) throws IOException {
        String key = "", value = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> key = in.readString();
                case 2 -> {
                    CodedInputStream any = in.readBytes().newCodedInput();
                    for (int t; (t = any.readTag()) != 0; ) {
                        switch (WireFormat.getTagFieldNumber(t)) {
                            case 1 -> value = any.readString();
                            case 2 -> value = Boolean.toString(any.readBool());
                            case 3 -> value = Long.toString(any.readInt64());
                            default -> any.skipField(t);
                        }
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return new String[] {key, value};
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
