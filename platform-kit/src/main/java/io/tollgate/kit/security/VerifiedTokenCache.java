package io.tollgate.kit.security;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Puts {@link VerifiedTokens} in front of the parser that authenticates bearer tokens. */
@Decorator
@Priority(10)
public abstract class VerifiedTokenCache implements JWTParser {

    @Inject
    @Delegate
    JWTParser delegate;

    @Inject
    VerifiedTokens verified;

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        return verified.parse(token, delegate::parse);
    }
}
