package io.tollgate.kit.paging;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.function.Function;

/** The list envelope of the public API: {@code {"data": [...], "meta": {...}}}. */
public record Page<T>(@JsonProperty("data") List<T> data, @JsonProperty("meta") Meta meta) {

    public record Meta(@JsonProperty("page") int page, @JsonProperty("page_size") int pageSize,
                       @JsonProperty("total") long total, @JsonProperty("has_more") boolean hasMore) {

        /** The meta of {@code count} rows read at {@code request} out of {@code total}. */
        public static Meta of(PageRequest request, int count, long total) {
            return new Meta(request.page(), request.size(), total, (long) request.offset() + count < total);
        }
    }

    public static <T> Page<T> of(List<T> data, PageRequest request, long total) {
        return new Page<>(List.copyOf(data), Meta.of(request, data.size(), total));
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(data.stream().map(mapper).toList(), meta);
    }
}
