package io.tollgate.identity.pages;

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

/**
 * The pages our mail links to, outside {@code /v1}: {@code GET /verify-email?token=} confirms the
 * address (or asks for the code), {@code GET /reset-password?token=} asks for a new password, and
 * {@code /} says what this deployment is. Forms post back to the same path with the token in a
 * hidden field: no cookie, so nothing for a cross-site request to ride on. Not part of the API's
 * OpenAPI.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class AccountPagesResource {

    private final AccountPages pages;
    private final Template landing;
    private final Template verifyEmail;
    private final Template resetPassword;

    public AccountPagesResource(AccountPages pages, @Location("pages/landing.html") Template landing,
                                @Location("pages/verify-email.html") Template verifyEmail,
                                @Location("pages/reset-password.html") Template resetPassword) {
        this.pages = pages;
        this.landing = landing;
        this.verifyEmail = verifyEmail;
        this.resetPassword = resetPassword;
    }

    @GET
    @Operation(hidden = true)
    public Uni<Response> landing(@QueryParam("tenant") String tenant) {
        return pages.landing(tenant).map(view -> PageResponse.render(landing, view));
    }

    @GET
    @Path("verify-email")
    @Operation(hidden = true)
    public Uni<Response> verifyEmail(@QueryParam("token") String token, @QueryParam("tenant") String tenant) {
        return pages.openVerification(token, tenant).map(view -> PageResponse.render(verifyEmail, view));
    }

    @POST
    @Path("verify-email")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> verifyEmailForm(@FormParam("action") String action, @FormParam("token") String token,
                                         @FormParam("tenant") String tenant, @FormParam("email") String email,
                                         @FormParam("code") String code) {
        return pages.submitVerification(new AccountPages.VerifyForm(action, token, tenant, email, code))
                .map(view -> PageResponse.render(verifyEmail, view));
    }

    @GET
    @Path("reset-password")
    @Operation(hidden = true)
    public Uni<Response> resetPassword(@QueryParam("token") String token, @QueryParam("tenant") String tenant) {
        return pages.openReset(token, tenant).map(view -> PageResponse.render(resetPassword, view));
    }

    @POST
    @Path("reset-password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> resetPasswordForm(@FormParam("action") String action, @FormParam("token") String token,
                                           @FormParam("tenant") String tenant, @FormParam("email") String email,
                                           @FormParam("password") String password, @FormParam("confirm") String confirm) {
        return pages.submitReset(new AccountPages.ResetForm(action, token, tenant, email, password, confirm))
                .map(view -> PageResponse.render(resetPassword, view));
    }
}
