package io.tollgate.billing.pages;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.pages.PageResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code GET /billing/payments/{id}?sig=}: the signed payment page, outside {@code /v1} and its OpenAPI. */
@Path("/billing/payments")
@Produces(MediaType.TEXT_HTML)
public class PaymentPageResource {

    private final PaymentPage page;
    private final Template template;

    public PaymentPageResource(PaymentPage page, @Location("pages/payment.html") Template template) {
        this.page = page;
        this.template = template;
    }

    @GET
    @Path("{id}")
    @Operation(hidden = true)
    public Uni<Response> show(@PathParam("id") String id, @QueryParam("sig") String signature) {
        return page.show(id, signature).map(view -> PageResponse.render(template, view));
    }
}
