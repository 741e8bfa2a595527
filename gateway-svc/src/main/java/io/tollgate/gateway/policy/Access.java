package io.tollgate.gateway.policy;

/** Who may call a route. */
public enum Access {
    /** Anyone; credentials are not checked. */
    PUBLIC,
    /** A user JWT, or an API key holding the route's scope. */
    USER,
    /** A user JWT only; API keys get 403 {@code JWT_ONLY}. */
    JWT_ONLY,
    /** A user JWT of a platform administrator. */
    ADMIN
}
