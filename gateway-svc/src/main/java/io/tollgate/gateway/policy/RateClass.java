package io.tollgate.gateway.policy;

/** The bucket a route's calls are counted in (seed figures: auth 5/min per IP, general 200/min, ...). */
public enum RateClass {
    /** Sign-up, sign-in, password reset and the like: counted per client address. */
    AUTH("auth"),
    /** Unauthenticated reads: counted per client address. */
    PUBLIC("public"),
    GENERAL("general"),
    PORTS("ports"),
    PURCHASE("purchase"),
    ADMIN("admin"),
    /** Not limited by the gateway (payment providers' webhooks). */
    NONE("none");

    private final String label;

    RateClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
