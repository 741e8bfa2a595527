package io.tollgate.billing.payments;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.net.ClientAddress;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.vertx.core.http.HttpServerRequest;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Top-ups and their payments; the providers' notifications. */
@Path("/v1/billing")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Payments")
public class PaymentResource {

    public record TopUpBody(@NotNull Long amountMinor, @Size(min = 3, max = 3) String currency,
                            @NotBlank String provider, @Size(max = 64) String promoCode, Boolean savePaymentMethod) {
    }

    private final TopUps topUps;
    private final ProviderNotifications notifications;
    private final ClientAddress clientAddress;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public PaymentResource(TopUps topUps, ProviderNotifications notifications, CurrentPrincipal principal, Idempotency idempotency,
                           ClientAddress clientAddress) {
        this.topUps = topUps;
        this.notifications = notifications;
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
        return idempotency.executeStaged("user:" + caller.userId(), key, "POST", "/v1/billing/top-ups", body,
                effects -> topUps.topUp(effects, caller.userUuid(), caller.tenantId(), body.amountMinor(), body.currency(), body.provider(),
                        body.promoCode(), Boolean.TRUE.equals(body.savePaymentMethod())).map(t -> Response.status(201).entity(t).build()));
    }

    @GET
    @Path("/payments")
    @Authenticated
    public Uni<Page<TopUps.PaymentView>> list(@QueryParam("status") String status, @Valid @BeanParam PageRequest page) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return topUps.page(caller.owner(), status, page);
    }

    @GET
    @Path("/payments/{id}")
    @Authenticated
    public Uni<TopUps.PaymentView> one(@PathParam("id") UUID id) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return topUps.one(caller.owner(), id);
    }

    @POST
    @Path("/webhooks/yookassa")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "YooKassa's notifications: only from its addresses (403 otherwise); the payment is fetched back before "
            + "anything is credited; always 200 {ok, processed, reason, deduped}")
    public Uni<ProviderNotifications.NotificationReceipt> yookassa(@Context HttpServerRequest request, byte[] body) {
        return notifications.yookassaNotification(clientAddress.of(request), body == null ? new byte[0] : body);
    }

    @POST
    @Path("/webhooks/coingate")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "CoinGate's callbacks (form-encoded): the order's token must match (403 otherwise); the order is fetched back")
    public Uni<Crediting.Receipt> coingate(byte[] body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return notifications.coingateCallback(form);
    }

    @POST
    @Path("/webhooks/stripe")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Stripe's signed notifications (raw body); a duplicate is acknowledged and changes nothing")
    public Uni<Crediting.Receipt> stripe(@HeaderParam("Stripe-Signature") String signature, byte[] body) {
        return notifications.stripeWebhook(signature, body == null ? new byte[0] : body);
    }
}
