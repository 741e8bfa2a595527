package io.tollgate.gateway.limits;

/** One bucket: {@code limit} requests per {@code periodMs}, named {@code policy} in the RateLimit headers. */
public record Limit(String policy, String key, long limit, long periodMs) {
}
