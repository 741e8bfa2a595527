package io.tollgate.gateway.policy;

/**
 * What the gateway demands of one route before it forwards: who may call it, which API-key scope
 * it needs, which rate bucket it counts against, the largest body and whether that body must be
 * JSON.
 */
public record RoutePolicy(Access access, String scope, RateClass rateClass, long maxBodyBytes, boolean jsonBody) {

    public boolean isPublic() {
        return access == Access.PUBLIC;
    }
}
