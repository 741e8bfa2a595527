package io.tollgate.identity.users;

import io.tollgate.kit.problem.ProblemException;

/** 8..128 characters with a lower-case letter, an upper-case letter and a digit. */
public final class PasswordPolicy {

    private PasswordPolicy() {
    }

    public static void check(String field, String password) {
        if (password == null || password.length() < 8 || password.length() > 128) {
            throw ProblemException.validation(field, "must be 8 to 128 characters");
        }
        if (!password.chars().anyMatch(Character::isLowerCase) || !password.chars().anyMatch(Character::isUpperCase)
                || !password.chars().anyMatch(Character::isDigit)) {
            throw ProblemException.validation(field, "must contain a lower-case letter, an upper-case letter and a digit");
        }
    }
}
