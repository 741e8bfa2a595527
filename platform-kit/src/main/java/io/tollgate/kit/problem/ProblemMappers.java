package io.tollgate.kit.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.tollgate.kit.web.RequestId;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns every failure into {@code application/problem+json}. Bodies never carry a stack trace,
 * SQL or a class name: unexpected errors are logged with the request id and answered generically.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final ObjectMapper json;

    public ProblemMappers(ObjectMapper json) {
        this.json = json;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, ContainerRequestContext request) {
        Response.ResponseBuilder builder = respond(e.toProblem(), request);
        e.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, ContainerRequestContext request) {
        boolean onReturnValue = e.getConstraintViolations().stream().anyMatch(v -> kinds(v.getPropertyPath())
                .contains(ElementKind.RETURN_VALUE));
        if (onReturnValue) {
            return unexpected(e, request);
        }
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldPath(v), v.getMessage(), constraintCode(v)))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        return respond(new Problem(Problem.TYPE_BASE + "validation-error", "Invalid request", 400,
                "The request has " + errors.size() + " invalid field(s).", null, "VALIDATION_ERROR", null, errors,
                Map.of()), request).build();
    }

    // Named one by one: quarkus-rest-jackson maps these subclasses itself unless a closer mapper exists.
    @ServerExceptionMapper({JsonProcessingException.class, JsonParseException.class, JsonMappingException.class,
            MismatchedInputException.class, InvalidFormatException.class})
    public Response unreadableJson(JsonProcessingException e, ContainerRequestContext request) {
        List<Problem.FieldError> errors = List.of();
        String detail = "The request body is not valid JSON.";
        if (e instanceof JsonMappingException mapping && !(e instanceof JsonParseException) && !mapping.getPath().isEmpty()) {
            String field = jsonPath(mapping.getPath());
            errors = List.of(new Problem.FieldError(field, "has the wrong type or format", "INVALID_FORMAT"));
            detail = "The field " + field + " has the wrong type or format.";
        }
        return respond(new Problem(Problem.TYPE_BASE + "validation-error", "Invalid request", 400, detail, null,
                "VALIDATION_ERROR", null, errors.isEmpty() ? null : errors, Map.of()), request).build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e, ContainerRequestContext request) {
        return respond(simple(401, "UNAUTHORIZED", "Unauthorized", "A valid access token is required."), request)
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request) {
        return respond(simple(403, "FORBIDDEN", "Forbidden", "You are not allowed to do this."), request).build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadableJson(unreadable, request);
        }
        if (status >= 500) {
            return unexpected(e, request);
        }
        String code = switch (status) {
            case 400 -> "BAD_REQUEST";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 409 -> "CONFLICT";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 429 -> "RATE_LIMITED";
            default -> "HTTP_" + status;
        };
        Response.StatusType type = e.getResponse().getStatusInfo();
        String detail = switch (status) {
            case 404 -> "No resource matches this path.";
            case 405 -> "This method is not allowed on this resource.";
            case 415 -> "This content type is not accepted here.";
            default -> type.getReasonPhrase() + ".";
        };
        Response.ResponseBuilder builder = respond(simple(status, code, type.getReasonPhrase(), detail), request);
        String allow = e.getResponse().getHeaderString("Allow");
        if (allow != null) {
            builder.header("Allow", allow);
        }
        return builder.build();
    }

    /** A circuit breaker (SmallRye Fault Tolerance) is open: the service or provider behind it is failing; come back later. */
    @ServerExceptionMapper
    public Response circuitOpen(CircuitBreakerOpenException e, ContainerRequestContext request) {
        LOG.warnf("circuit open, request_id=%s: %s", request == null ? null : RequestId.of(request), e.getMessage());
        return respond(simple(503, "DEPENDENCY_UNAVAILABLE", "Service unavailable",
                "A service this request needs is failing; retry later."), request).header("Retry-After", "30").build();
    }

    /** A call under {@code @Timeout} took too long. */
    @ServerExceptionMapper
    public Response dependencyTimeout(org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException e, ContainerRequestContext request) {
        LOG.warnf("dependency timed out, request_id=%s: %s", request == null ? null : RequestId.of(request), e.getMessage());
        return respond(simple(504, "DEPENDENCY_TIMEOUT", "Gateway timeout",
                "A service this request needs did not answer in time; retry later."), request).build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, ContainerRequestContext request) {
        String requestId = request == null ? null : RequestId.of(request);
        LOG.errorf(e, "unexpected failure, request_id=%s", requestId);
        return respond(simple(500, "INTERNAL_ERROR", "Internal server error",
                "Something went wrong on our side. Quote the request id if you contact support."), request).build();
    }

    private static Problem simple(int status, String code, String title, String detail) {
        return new Problem(Problem.TYPE_BASE + code.toLowerCase().replace('_', '-'), title, status, detail, null,
                code, null, null, Map.of());
    }

    private Response.ResponseBuilder respond(Problem problem, ContainerRequestContext request) {
        Problem full = request == null ? problem
                : problem.withRequest(request.getUriInfo().getRequestUri().getRawPath(), RequestId.of(request));
        return Response.status(full.status()).type(Problem.MEDIA_TYPE).entity(write(full));
    }

    private String write(Problem problem) {
        try {
            return json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            return "{\"status\":" + problem.status() + ",\"code\":\"" + problem.code() + "\"}";
        }
    }

    private static List<ElementKind> kinds(Path path) {
        List<ElementKind> kinds = new ArrayList<>();
        path.forEach(node -> kinds.add(node.getKind()));
        return kinds;
    }

    /** {@code create.body.items[2].amountMinor} -> {@code items[2].amount_minor}; a query parameter keeps its name. */
    static String fieldPath(ConstraintViolation<?> violation) {
        StringBuilder out = new StringBuilder();
        String parameter = null;
        for (Path.Node node : violation.getPropertyPath()) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, CROSS_PARAMETER, RETURN_VALUE -> {
                }
                case PARAMETER -> parameter = node.getName();
                default -> {
                    // A node "in an iterable" carries the index of the element of the previous node.
                    if (node.isInIterable() && node.getIndex() != null) {
                        out.append('[').append(node.getIndex()).append(']');
                    } else if (node.isInIterable() && node.getKey() != null) {
                        out.append('[').append(node.getKey()).append(']');
                    }
                    String name = node.getName();
                    if (name != null && !name.startsWith("<")) {
                        if (!out.isEmpty()) {
                            out.append('.');
                        }
                        out.append(snake(name));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            return parameter == null ? "" : snake(parameter);
        }
        return out.toString();
    }

    private static String constraintCode(ConstraintViolation<?> violation) {
        String name = violation.getConstraintDescriptor().getAnnotation().annotationType().getSimpleName();
        return snake(name).toUpperCase();
    }

    private static String jsonPath(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    static String snake(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
