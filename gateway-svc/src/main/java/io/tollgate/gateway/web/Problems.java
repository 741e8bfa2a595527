package io.tollgate.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.kit.problem.Problem;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Map;

/** Answers from the gateway itself, as RFC 9457 problem documents like every service's. */
@Singleton
public class Problems {

    private final ObjectMapper json;

    public Problems(ObjectMapper json) {
        this.json = json;
    }

    public void send(RoutingContext ctx, int status, String code, String title, String detail, Map<String, Object> extensions) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        String requestId = response.headers().get("X-Request-Id");
        Problem problem = new Problem(Problem.TYPE_BASE + code.toLowerCase(Locale.ROOT).replace('_', '-'), title, status,
                detail, ctx.request().path(), code, requestId, null, extensions == null ? Map.of() : extensions);
        byte[] body;
        try {
            body = json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            body = ("{\"status\":" + status + ",\"code\":\"" + code + "\"}").getBytes();
        }
        if (!ctx.request().isEnded()) {
            ctx.request().resume();
            if (status == 413) {
                // the unread body would otherwise be waited for; the client is told not to send it
                response.putHeader("Connection", "close");
            }
        }
        response.setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Content-Length", String.valueOf(body.length)).end(io.vertx.core.buffer.Buffer.buffer(body));
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 413 -> "Payload too large";
            case 414 -> "URI too long";
            case 415 -> "Unsupported media type";
            case 429 -> "Too many requests";
            case 431 -> "Request header fields too large";
            case 502 -> "Bad gateway";
            case 503 -> "Service unavailable";
            case 504 -> "Gateway timeout";
            default -> "Request refused";
        };
    }
}
