package io.tollgate.kit.security;

/** How the caller proved who they are. */
public enum AuthSource {
    /** A user's access token from a login. */
    JWT,
    /** An API key, exchanged at identity for a short-lived token by the gateway. */
    API_KEY,
    /** One of our own services, with a client-credentials service token. */
    SERVICE;

    public String wire() {
        return name().toLowerCase();
    }

    public static AuthSource fromWire(String value) {
        if (value == null) {
            return JWT;
        }
        return switch (value) {
            case "api_key" -> API_KEY;
            case "service" -> SERVICE;
            default -> JWT;
        };
    }
}
