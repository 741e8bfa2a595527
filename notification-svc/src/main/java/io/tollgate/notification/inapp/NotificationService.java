package io.tollgate.notification.inapp;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.UUID;

/** The bell's rules: a user sees, reads and deletes only their own notifications. */
@ApplicationScoped
public class NotificationService {

    private final NotificationRepository notifications;
    private final Clock clock;

    public NotificationService(NotificationRepository notifications, Clock clock) {
        this.notifications = notifications;
        this.clock = clock;
    }

    public Uni<NotificationRepository.Slice> list(Owner owner, boolean unreadOnly, PageRequest page) {
        return notifications.page(owner, unreadOnly, page);
    }

    public Uni<Long> unreadCount(Owner owner) {
        return notifications.unreadCount(owner);
    }

    /** Reading again is harmless: the first time it was read is kept. */
    public Uni<Notification> read(Owner owner, UUID id) {
        return notifications.markRead(owner, id, clock.instant())
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("notification")));
    }

    public Uni<Integer> readAll(Owner owner) {
        return notifications.markAllRead(owner, clock.instant());
    }

    public Uni<Integer> deleteAll(Owner owner) {
        return notifications.deleteAll(owner);
    }

    public Uni<Void> delete(Owner owner, UUID id) {
        return notifications.delete(owner, id).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("notification");
            }
            return null;
        });
    }
}
