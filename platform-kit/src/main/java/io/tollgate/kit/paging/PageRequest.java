package io.tollgate.kit.paging;

import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;

/**
 * {@code ?page=&page_size=} as a {@code @BeanParam}. Pages start at 1; the size defaults to 20
 * and is capped at 100 so no caller can ask for an unbounded list.
 */
public class PageRequest {

    public static final int DEFAULT_SIZE = 20;
    public static final int MAX_SIZE = 100;

    @QueryParam("page")
    @DefaultValue("1")
    @Min(value = 1, message = "must be 1 or more")
    int page = 1;

    @QueryParam("page_size")
    @DefaultValue("20")
    @Min(value = 1, message = "must be 1 or more")
    int pageSize = DEFAULT_SIZE;

    public PageRequest() {
    }

    public PageRequest(int page, int pageSize) {
        this.page = page;
        this.pageSize = pageSize;
    }

    public static PageRequest of(int page, int pageSize) {
        return new PageRequest(page, pageSize);
    }

    public int page() {
        return Math.max(1, page);
    }

    public int size() {
        return Math.min(MAX_SIZE, Math.max(1, pageSize));
    }

    public int offset() {
        return (page() - 1) * size();
    }
}
