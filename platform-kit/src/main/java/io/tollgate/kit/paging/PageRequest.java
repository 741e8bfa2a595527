package io.tollgate.kit.paging;

import io.tollgate.kit.problem.ProblemException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * {@code ?page=&page_size=} as a {@code @BeanParam}. Pages start at 1 and go up to
 * {@value #MAX_PAGE}; the size defaults to 20 and is capped at 100 so no caller can ask for an
 * unbounded list. The parameters are read as text so that {@code page_size=abc} or a page past the
 * last one an offset can reach is a 400 {@code VALIDATION_ERROR} naming the parameter, not the
 * framework's 404 or an overflow.
 */
public class PageRequest {

    public static final int DEFAULT_SIZE = 20;
    public static final int MAX_SIZE = 100;
    public static final int MAX_PAGE = 100_000;

    @QueryParam("page")
    @DefaultValue("1")
    @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", defaultValue = "1"))
    String page = "1";

    @QueryParam("page_size")
    @DefaultValue("20")
    @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", defaultValue = "20"))
    String pageSize = "20";

    public PageRequest() {
    }

    public PageRequest(int page, int pageSize) {
        this.page = Integer.toString(page);
        this.pageSize = Integer.toString(pageSize);
    }

    public static PageRequest of(int page, int pageSize) {
        return new PageRequest(page, pageSize);
    }

    public int page() {
        return parse("page", page, MAX_PAGE);
    }

    public int size() {
        return Math.min(MAX_SIZE, parse("page_size", pageSize, Integer.MAX_VALUE));
    }

    /** At most {@code (MAX_PAGE - 1) * MAX_SIZE}, well inside an int. */
    public int offset() {
        return (page() - 1) * size();
    }

    private static int parse(String name, String value, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.validation(name, "must be a whole number");
        }
        if (parsed < 1) {
            throw ProblemException.validation(name, "must be 1 or more");
        }
        if (parsed > max) {
            throw ProblemException.validation(name, "must be at most " + max);
        }
        return (int) parsed;
    }
}
