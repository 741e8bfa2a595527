package io.tollgate.identity.users;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;

/** The caller's own profile. A token whose account is gone is refused as unauthenticated. */
@ApplicationScoped
public class ProfileService {

    private final UserRepository users;
    private final Clock clock;

    public ProfileService(UserRepository users, Clock clock) {
        this.users = users;
        this.clock = clock;
    }

    public Uni<User> get(Owner owner) {
        return users.byOwner(owner).onItem().ifNull().failWith(ProfileService::gone);
    }

    /** Null fields stay as they are; the name is trimmed. */
    public Uni<User> update(Owner owner, String fullName, String locale) {
        return users.updateProfile(owner, fullName == null ? null : fullName.trim(), locale, clock.instant())
                .onItem().ifNull().failWith(ProfileService::gone);
    }

    private static ProblemException gone() {
        return ProblemException.unauthorized("UNAUTHORIZED", "The account no longer exists.");
    }
}
