package io.tollgate.billing.payments;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.net.ClientAddress;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/** Top-ups and their payments; the providers' notifications. */
@Path("/v1/billing")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Payments")
public class PaymentResource {

    public record TopUpBody(@NotNull Long amountMinor, @Size(min = 3, max = 3) String currency,
                            @NotBlank String provider, @Size(max = 64) String promoCode, Boolean savePaymentMethod) {
    }

    private final Payments payments;
    private final ClientAddress clientAddress;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public PaymentResource(Payments payments, CurrentPrincipal principal, Idempotency idempotency, ClientAddress clientAddress) {
        this.payments = payments;
        this.clientAddress = clientAddress;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Path("/top-ups")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a top-up: the customer pays at redirect_url; the wallet is credited when the provider confirms")
    public Uni<Response> topUp(@Valid @NotNull TopUpBody body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = principal.jwt();
        caller.requireVerifiedEmail();
        return idempotency.execute("user:" + caller.userId(), key, "POST", "/v1/billing/top-ups", body,
                () -> payments.topUp(caller.userUuid(), caller.tenantId(), body.amountMinor(), body.currency(), body.provider(),
                        body.promoCode(), Boolean.TRUE.equals(body.savePaymentMethod())).map(t -> Response.status(201).entity(t).build()));
    }

    @GET
    @Path("/payments")
    @Authenticated
    public Uni<Page<Payments.PaymentView>> list(@QueryParam("status") String status, @Valid @BeanParam PageRequest page) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return payments.page(caller.userUuid(), caller.tenantId(), status, page);
    }

    @GET
    @Path("/payments/{id}")
    @Authenticated
    public Uni<Payments.PaymentView> one(@PathParam("id") UUID id) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return payments.one(caller.userUuid(), caller.tenantId(), id);
    }

    @POST
    @Path("/webhooks/yookassa")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "YooKassa's notifications: only from its addresses (403 otherwise); the payment is fetched back before "
            + "anything is credited; always 200 {ok, processed, reason, deduped}")
    public Uni<Payments.NotificationReceipt> yookassa(@jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request, byte[] body) {
        return payments.yookassaNotification(clientAddress.of(request), body == null ? new byte[0] : body);
    }

    @POST
    @Path("/webhooks/coingate")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "CoinGate's callbacks (form-encoded): the order's token must match (403 otherwise); the order is fetched back")
    public Uni<Payments.Receipt> coingate(byte[] body) {
        java.util.Map<String, String> form = new java.util.LinkedHashMap<>();
        for (String pair : new String(body == null ? new byte[0] : body, java.nio.charset.StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return payments.coingateCallback(form);
    }

    @POST
    @Path("/webhooks/stripe")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Stripe's signed notifications (raw body); a duplicate is acknowledged and changes nothing")
    public Uni<Payments.Receipt> stripe(@HeaderParam("Stripe-Signature") String signature, byte[] body) {
        return payments.stripeWebhook(signature, body == null ? new byte[0] : body);
    }
}
