package io.tollgate.gateway.auth;

import io.tollgate.kit.security.Revocations;
import jakarta.inject.Singleton;

/** Refuses a caller whose account, session or key identity has taken back, as the gateway answers it. */
@Singleton
public class Withdrawn {

    private final Revocations revocations;

    public Withdrawn(Revocations revocations) {
        this.revocations = revocations;
    }

    /** For a key just exchanged or cached by {@link ApiKeys}, which already handles key changes: the account only. */
    public void checkExchanged(Caller caller) {
        if (revocations.banned(caller.userId())) {
            throw new AuthFailure(403, "USER_BANNED", "This account is banned.");
        }
    }

    /** Refuses a caller whose session, key or account identity has taken back. */
    public void check(Caller caller) {
        if (revocations.banned(caller.userId())) {
            throw new AuthFailure(403, "USER_BANNED", "This account is banned.");
        }
        if (caller.source() == Caller.Source.JWT && revocations.sessionRevoked(caller.sessionId())) {
            throw new AuthFailure(401, "SESSION_REVOKED", "This session has ended; sign in again.");
        }
        if (revocations.keyStale(caller.apiKeyId(), caller.issuedAt())) {
            throw new AuthFailure(401, "API_KEY_REVOKED", "This API key was revoked or changed.");
        }
    }
}
