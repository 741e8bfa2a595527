package io.tollgate.notification.mail;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.pages.PageResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Arrays;
import java.util.List;

/**
 * The footer links of our mail, as pages: {@code /email-preferences?token=} and
 * {@code /unsubscribe?token=}. Forms post to the same path with the token in the query. A POST to
 * {@code /unsubscribe} with RFC 8058's {@code List-Unsubscribe=One-Click} body (what a mail client
 * sends for the {@code List-Unsubscribe} header) unsubscribes from all optional mail at once. Not part
 * of the API's OpenAPI.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class PreferencePagesResource {

    private final PreferencePages pages;
    private final Template preferences;
    private final Template unsubscribe;

    public PreferencePagesResource(PreferencePages pages, @Location("pages/email-preferences.html") Template preferences,
                                   @Location("pages/unsubscribe.html") Template unsubscribe) {
        this.pages = pages;
        this.preferences = preferences;
        this.unsubscribe = unsubscribe;
    }

    @GET
    @Path("email-preferences")
    @Operation(hidden = true)
    public Uni<Response> preferences(@QueryParam("token") String token) {
        return pages.preferences(token).map(view -> PageResponse.render(preferences, view));
    }

    @POST
    @Path("email-preferences")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> changePreferences(@QueryParam("token") String token, @FormParam("action") String action,
                                           @FormParam("on") List<String> on) {
        return pages.changePreferences(token, action, on).map(view -> PageResponse.render(preferences, view));
    }

    @GET
    @Path("unsubscribe")
    @Operation(hidden = true)
    public Uni<Response> unsubscribe(@QueryParam("token") String token) {
        return pages.unsubscribe(token).map(view -> PageResponse.render(unsubscribe, view));
    }

    /** The page's buttons ({@code action=unsubscribe} or {@code resubscribe}) and RFC 8058's one-click POST. */
    @POST
    @Path("unsubscribe")
    @Consumes(MediaType.WILDCARD)
    @Operation(hidden = true)
    public Uni<Response> unsubscribeForm(@QueryParam("token") String token, String body) {
        // any body is accepted (RFC 8058's is "List-Unsubscribe=One-Click"); only the page's resubscribe button undoes
        boolean resubscribe = body != null && body.length() < 4096 && Arrays.stream(body.split("&"))
                .anyMatch(pair -> pair.strip().equals("action=resubscribe"));
        var view = resubscribe ? pages.resubscribe(token) : pages.unsubscribeAll(token);
        return view.map(v -> PageResponse.render(unsubscribe, v));
    }
}
