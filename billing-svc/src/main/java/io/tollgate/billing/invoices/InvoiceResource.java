package io.tollgate.billing.invoices;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

@Path("/v1/billing/invoices")
@Authenticated
@Tag(name = "Invoices")
public class InvoiceResource {

    private final Invoices invoices;
    private final CurrentPrincipal principal;

    public InvoiceResource(Invoices invoices, CurrentPrincipal principal) {
        this.invoices = invoices;
        this.principal = principal;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The caller's invoices, newest first")
    public Uni<Page<Invoices.InvoiceView>> list(@QueryParam("status") String status, @Valid @BeanParam PageRequest page) {
        Principal caller = reader();
        return invoices.page(caller.userUuid(), caller.tenantId(), status, page);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Invoices.InvoiceView> one(@PathParam("id") UUID id) {
        Principal caller = reader();
        return invoices.one(caller.userUuid(), caller.tenantId(), id);
    }

    @GET
    @Path("/{id}/pdf")
    @Produces({"application/pdf", "application/problem+json"})
    @Operation(summary = "The invoice as a PDF")
    public Uni<Response> pdf(@PathParam("id") UUID id) {
        Principal caller = reader();
        return invoices.one(caller.userUuid(), caller.tenantId(), id)
                .map(invoice -> Response.ok(InvoicePdf.render(invoice), "application/pdf")
                        .header("Content-Disposition", "attachment; filename=\"" + invoice.number() + ".pdf\"").build());
    }

    private Principal reader() {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return caller;
    }
}
