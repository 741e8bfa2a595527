package io.tollgate.notification.inapp;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The caller's in-app notifications. */
@Path("/v1/notifications")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Notifications")
public class NotificationResource {

    public record NotificationView(UUID id, String category, String severity, String title, String body, String actionUrl,
                                   String actionLabel, boolean read, Instant readAt, Instant createdAt) {
        static NotificationView of(Notification n) {
            return new NotificationView(n.id, n.category, n.severity, n.title, n.body, n.actionUrl, n.actionLabel,
                    n.readAt != null, n.readAt, n.createdAt);
        }
    }

    public record Meta(int page, int pageSize, long total, long unreadCount) {
    }

    public record NotificationPage(List<NotificationView> data, Meta meta) {
    }

    private final CurrentPrincipal principal;
    private final Clock clock;

    public NotificationResource(CurrentPrincipal principal, Clock clock) {
        this.principal = principal;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Newest first, with the unread count; unread_only=true for the unread ones")
    public Uni<NotificationPage> list(@QueryParam("unread_only") boolean unreadOnly, @Valid @BeanParam PageRequest page) {
        Principal caller = reader();
        String where = "userId = ?1 and tenantId = ?2" + (unreadOnly ? " and readAt is null" : "");
        return Panache.withSession(() -> Notification.<Notification>find(where + " order by createdAt desc, id", caller.userUuid(),
                                caller.tenantId())
                        .page(page.page() - 1, page.size()).list()
                        .chain(list -> Notification.count(where, caller.userUuid(), caller.tenantId())
                                .chain(total -> Notification.count("userId = ?1 and tenantId = ?2 and readAt is null",
                                                caller.userUuid(), caller.tenantId())
                                        .map(unread -> new NotificationPage(list.stream().map(NotificationView::of).toList(),
                                                new Meta(page.page(), page.size(), total, unread))))));
    }

    @GET
    @Path("/unread-count")
    public Uni<Map<String, Long>> unreadCount() {
        Principal caller = reader();
        return Panache.withSession(() -> Notification.count("userId = ?1 and tenantId = ?2 and readAt is null",
                caller.userUuid(), caller.tenantId())).map(n -> Map.of("unread_count", n));
    }

    @POST
    @Path("/{id}/read")
    @Operation(summary = "Mark one as read (again is harmless)")
    public Uni<NotificationView> read(@PathParam("id") UUID id) {
        Principal caller = principal.jwt();
        return Panache.withTransaction(() -> Notification.<Notification>find("id = ?1 and userId = ?2 and tenantId = ?3", id,
                        caller.userUuid(), caller.tenantId()).firstResult()
                .map(n -> {
                    if (n == null) {
                        throw ProblemException.notFound("notification");
                    }
                    if (n.readAt == null) {
                        n.readAt = clock.instant();
                    }
                    return NotificationView.of(n);
                }));
    }

    @POST
    @Path("/read-all")
    @Operation(summary = "Mark every unread one as read")
    public Uni<Map<String, Integer>> readAll() {
        Principal caller = principal.jwt();
        return Panache.withTransaction(() -> Notification.update("readAt = ?1 where userId = ?2 and tenantId = ?3 and readAt is null",
                clock.instant(), caller.userUuid(), caller.tenantId())).map(n -> Map.of("modified_count", n));
    }

    @DELETE
    @Operation(summary = "Delete every notification of the caller")
    public Uni<Map<String, Long>> deleteAll() {
        Principal caller = principal.jwt();
        return Panache.withTransaction(() -> Notification.delete("userId = ?1 and tenantId = ?2", caller.userUuid(), caller.tenantId()))
                .map(n -> Map.of("deleted_count", n));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        Principal caller = principal.jwt();
        return Panache.withTransaction(() -> Notification.delete("id = ?1 and userId = ?2 and tenantId = ?3", id,
                        caller.userUuid(), caller.tenantId()))
                .map(n -> {
                    if (n == 0) {
                        throw ProblemException.notFound("notification");
                    }
                    return Response.noContent().build();
                });
    }

    private Principal reader() {
        Principal caller = principal.get();
        caller.requireScope("account:read");
        return caller;
    }
}
