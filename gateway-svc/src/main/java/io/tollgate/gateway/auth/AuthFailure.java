package io.tollgate.gateway.auth;

/** Why a caller was turned away: an HTTP status and our UPPER_SNAKE code, without a stack trace. */
public final class AuthFailure extends RuntimeException {

    private final int status;
    private final String code;

    public AuthFailure(int status, String code, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static AuthFailure invalid(String detail) {
        return new AuthFailure(401, "INVALID_TOKEN", detail);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
