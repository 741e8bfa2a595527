package io.tollgate.kit.web;

import io.tollgate.kit.problem.ProblemException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A service routes only paths that mean one thing: a dot segment in any spelling, an encoded slash,
 * a backslash, NUL or a {@code ;} is 400 {@code INVALID_PATH} before any resource is matched, and so
 * is a NUL in the query. The gateway forwards normalised paths only; this is the same rule for a
 * caller that reaches a service directly.
 */
public class PathGuard {

    @ServerRequestFilter(preMatching = true, priority = Priorities.USER + 10)
    public void refuseUnsafePaths(HttpServerRequest request) {
        String why = RequestPaths.problem(request.path());
        if (why == null && RequestPaths.queryHasControl(request.query())) {
            why = "The query has a NUL or another control character.";
        }
        if (why != null) {
            throw ProblemException.badRequest("INVALID_PATH", why);
        }
    }
}
