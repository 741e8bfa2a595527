package io.tollgate.identity.tenants;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@Path("/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tenants")
public class TenantResource {

    public record NewTenant(@NotBlank @Pattern(regexp = "^[a-z0-9][a-z0-9-]{1,62}$", message = "must be 2 to 63 lower-case letters, digits or dashes") String slug,
                            @NotBlank @Size(max = 200) String name,
                            @NotBlank @Email @Size(max = 254) String contactEmail,
                            @Pattern(regexp = "^(Reseller|Enterprise)$", message = "must be Reseller or Enterprise") String kind,
                            @Size(max = 200) String contactName,
                            @Size(max = 50) String contactPhone,
                            @Pattern(regexp = "^[A-Z]{3}$", message = "must be an ISO 4217 code") String currency) {
    }

    public record TenantPatch(@Size(min = 1, max = 200) String name, @Email @Size(max = 254) String contactEmail,
                              @Size(max = 200) String contactName, @Size(max = 50) String contactPhone,
                              @Email @Size(max = 254) String billingEmail, @Size(max = 50) List<String> allowedOrigins,
                              @Pattern(regexp = "^(Active|Trial|Suspended|Cancelled)$", message = "must be Active, Trial, Suspended or Cancelled") String status,
                              @Min(0) Integer maxUsers, @Min(0) Integer maxStorageGb, @Min(0) Integer monthlyRenderQty,
                              Instant trialEndsAt) {
    }

    public record DomainRequest(@NotBlank @Size(max = 253) String domain,
                                @Pattern(regexp = "^DNS_TXT$", message = "only DNS_TXT is supported") String method) {
    }

    public record TenantView(UUID id, String slug, String name, String kind, String status, String contactEmail,
                             String contactName, String contactPhone, String billingEmail, String currency,
                             List<String> allowedOrigins, String customDomain, boolean domainVerified, Integer maxUsers,
                             Integer maxStorageGb, Integer monthlyRenderQty, Instant trialEndsAt, Map<String, Object> branding,
                             Instant createdAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id(), t.slug(), t.name(), t.kind(), t.status(), t.contactEmail(), t.contactName(), t.contactPhone(),
                    t.billingEmail(), t.currency(), t.allowedOrigins(), t.customDomain(), t.domainVerified(), t.maxUsers(), t.maxStorageGb(),
                    t.monthlyRenderQty(), t.trialEndsAt(), t.branding(), t.createdAt());
        }
    }

    /** What anyone may know of a tenant: enough to show its sign-up page. */
    public record PublicTenant(UUID id, String slug, String name, String status, Map<String, Object> branding) {
    }

    private final TenantService tenants;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public TenantResource(TenantService tenants, CurrentPrincipal principal, Idempotency idempotency) {
        this.tenants = tenants;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a tenant (platform admins)")
    public Uni<Response> create(@Valid @NotNull NewTenant body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = principal.get();
        caller.requirePlatformAdmin();
        return idempotency.execute("admin:" + caller.userId(), key, "POST", "/v1/tenants", body,
                tx -> tenants.create(tx, caller, new TenantService.NewTenant(body.slug(), body.name(), body.contactEmail(),
                                body.kind(), body.contactName(), body.contactPhone(), body.currency()))
                        .map(t -> Response.status(201).entity(TenantView.of(t)).build()));
    }

    @GET
    @Path("/by-slug/{slug}")
    @Operation(summary = "Resolve a tenant by slug (public: name, status and branding only)")
    public Uni<PublicTenant> bySlug(@PathParam("slug") String slug) {
        return tenants.bySlug(slug).map(t -> new PublicTenant(t.id(), t.slug(), t.name(), t.status(), t.branding()));
    }

    @GET
    @Path("/{id}")
    @Authenticated
    public Uni<TenantView> get(@PathParam("id") UUID id) {
        return tenants.get(principal.get(), id).map(TenantView::of);
    }

    @PATCH
    @Path("/{id}")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change contacts, billing e-mail and allowed origins; platform admins also status and limits")
    public Uni<TenantView> update(@PathParam("id") UUID id, @Valid @NotNull TenantPatch body) {
        return tenants.update(principal.get(), id, new TenantService.Changes(body.name(), body.contactEmail(), body.contactName(),
                body.contactPhone(), body.billingEmail(), body.allowedOrigins(), body.status(), body.maxUsers(), body.maxStorageGb(),
                body.monthlyRenderQty(), body.trialEndsAt())).map(TenantView::of);
    }

    @GET
    @Path("/{id}/branding")
    @Authenticated
    public Uni<Map<String, Object>> branding(@PathParam("id") UUID id) {
        return tenants.get(principal.get(), id).map(Tenant::branding);
    }

    @PUT
    @Path("/{id}/branding")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace the branding used by the UI and the tenant's mail")
    public Uni<Map<String, Object>> putBranding(@PathParam("id") UUID id, @Valid @NotNull Branding body) {
        return tenants.putBranding(principal.get(), id, body).map(Tenant::branding);
    }

    @POST
    @Path("/{id}/domains/verify")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start proving a custom domain: publish the returned TXT record, then check it")
    public Uni<Response> verifyDomain(@PathParam("id") UUID id, @Valid @NotNull DomainRequest body) {
        return tenants.startDomainVerification(principal.get(), id, body.domain())
                .map(c -> Response.status(201).entity(c).build());
    }

    @POST
    @Path("/{id}/domains/verify/{verification_id}/check")
    @Authenticated
    @Operation(summary = "Look the TXT record up; on a match the domain is verified")
    public Uni<TenantView> checkDomain(@PathParam("id") UUID id, @PathParam("verification_id") UUID verificationId) {
        return tenants.checkDomainVerification(principal.get(), id, verificationId).map(TenantView::of);
    }
}
