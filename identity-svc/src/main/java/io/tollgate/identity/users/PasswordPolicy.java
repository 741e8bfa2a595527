package io.tollgate.identity.users;

import io.tollgate.kit.problem.ProblemException;

import java.util.Optional;

/** 8..128 characters with a lower-case letter, an upper-case letter and a digit. */
public final class PasswordPolicy {

    /** The rule as the reset page shows it. */
    public static final String RULE = "8 to 128 characters, with a lower-case letter, an upper-case letter and a digit";

    private PasswordPolicy() {
    }

    public static void check(String field, String password) {
        violation(password).ifPresent(message -> {
            throw ProblemException.validation(field, message);
        });
    }

    /** What is wrong with {@code password}, in the words of the API's field error; empty when it passes. */
    public static Optional<String> violation(String password) {
        if (password == null || password.length() < 8 || password.length() > 128) {
            return Optional.of("must be 8 to 128 characters");
        }
        if (!password.chars().anyMatch(Character::isLowerCase) || !password.chars().anyMatch(Character::isUpperCase)
                || !password.chars().anyMatch(Character::isDigit)) {
            return Optional.of("must contain a lower-case letter, an upper-case letter and a digit");
        }
        return Optional.empty();
    }
}
