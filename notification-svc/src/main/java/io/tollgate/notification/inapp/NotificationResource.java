package io.tollgate.notification.inapp;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
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
            return new NotificationView(n.id(), n.category(), n.severity(), n.title(), n.body(), n.actionUrl(), n.actionLabel(),
                    n.readAt() != null, n.readAt(), n.createdAt());
        }
    }

    /** The kit's list meta, plus the owner's unread count. */
    public record Meta(int page, int pageSize, long total, boolean hasMore, long unreadCount) {
    }

    public record NotificationPage(List<NotificationView> data, Meta meta) {
    }

    private final CurrentPrincipal principal;
    private final NotificationService notifications;

    public NotificationResource(CurrentPrincipal principal, NotificationService notifications) {
        this.principal = principal;
        this.notifications = notifications;
    }

    @GET
    @Operation(summary = "Newest first, with the unread count; unread_only=true for the unread ones")
    public Uni<NotificationPage> list(@QueryParam("unread_only") boolean unreadOnly, @Valid @BeanParam PageRequest page) {
        return notifications.list(reader().owner(), unreadOnly, page).map(slice -> {
            Page.Meta meta = Page.Meta.of(page, slice.rows().size(), slice.total());
            return new NotificationPage(slice.rows().stream().map(NotificationView::of).toList(),
                    new Meta(meta.page(), meta.pageSize(), meta.total(), meta.hasMore(), slice.unread()));
        });
    }

    @GET
    @Path("/unread-count")
    public Uni<Map<String, Long>> unreadCount() {
        return notifications.unreadCount(reader().owner()).map(n -> Map.of("unread_count", n));
    }

    @POST
    @Path("/{id}/read")
    @Operation(summary = "Mark one as read (again is harmless)")
    public Uni<NotificationView> read(@PathParam("id") UUID id) {
        return notifications.read(principal.jwt().owner(), id).map(NotificationView::of);
    }

    @POST
    @Path("/read-all")
    @Operation(summary = "Mark every unread one as read")
    public Uni<Map<String, Integer>> readAll() {
        return notifications.readAll(principal.jwt().owner()).map(n -> Map.of("modified_count", n));
    }

    @DELETE
    @Operation(summary = "Delete every notification of the caller")
    public Uni<Map<String, Long>> deleteAll() {
        return notifications.deleteAll(principal.jwt().owner()).map(n -> Map.of("deleted_count", (long) n));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return notifications.delete(principal.jwt().owner(), id).map(done -> Response.noContent().build());
    }

    private Principal reader() {
        Principal caller = principal.get();
        caller.requireScope("account:read");
        return caller;
    }
}
