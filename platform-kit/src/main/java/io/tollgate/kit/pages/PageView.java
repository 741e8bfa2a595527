package io.tollgate.kit.pages;

import java.util.HashMap;
import java.util.Map;

/** What a page service decided to show: the status, the tenant's look and the template's data. */
public record PageView(int status, Brand brand, Map<String, Object> data) {

    public static PageView ok(Brand brand, Map<String, Object> data) {
        return new PageView(200, brand, data);
    }

    /** A copy with one more value (or one replaced). */
    public PageView with(String key, Object value) {
        Map<String, Object> more = new HashMap<>(data);
        more.put(key, value);
        return new PageView(status, brand, more);
    }
}
