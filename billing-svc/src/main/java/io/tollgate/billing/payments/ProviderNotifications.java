package io.tollgate.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.payments.Crediting.Receipt;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What each provider tells us about a payment, read in its own protocol and never believed beyond
 * it: Stripe's signed webhook, YooKassa's unsigned notification (its address checked, the payment
 * fetched back), CoinGate's callback (its per-order token checked, the order fetched back), and the
 * read-back of a Stripe payment whose webhook never came. Each ends in {@link Crediting}.
 */
@ApplicationScoped
public class ProviderNotifications {

    /** YooKassa's answer shape: {@code {ok, processed, reason, deduped}}. */
    public record NotificationReceipt(boolean ok, boolean processed, String reason, boolean deduped) {
    }

    private final Crediting crediting;
    private final Ledger ledger;
    private final StripeProvider stripe;
    private final YooKassaProvider yookassa;
    private final CoinGateProvider coingate;
    private final ObjectMapper json;

    public ProviderNotifications(Crediting crediting, Ledger ledger, StripeProvider stripe, YooKassaProvider yookassa,
                                 CoinGateProvider coingate, ObjectMapper json) {
        this.crediting = crediting;
        this.ledger = ledger;
        this.stripe = stripe;
        this.yookassa = yookassa;
        this.coingate = coingate;
        this.json = json;
    }

    /** One Stripe notification, verified against its raw body; a duplicate changes nothing. */
    public Uni<Receipt> stripeWebhook(String signature, byte[] body) {
        stripe.verify(signature, body);
        JsonNode event;
        try {
            event = json.readTree(body);
        } catch (IOException e) {
            throw ProblemException.badRequest("INVALID_PAYLOAD", "The notification is not JSON.");
        }
        String eventId = event.path("id").asText("");
        String type = event.path("type").asText("");
        JsonNode object = event.path("data").path("object");
        String intentId = object.path("id").asText("");
        if (eventId.isEmpty() || type.isEmpty() || intentId.isEmpty()) {
            throw ProblemException.badRequest("INVALID_PAYLOAD", "The notification lacks id, type or data.object.id.");
        }
        // a card kept for later: what to show of it is read from the provider before the books are touched
        String method = object.path("payment_method").asText("");
        boolean keep = "payment_intent.succeeded".equals(type) && "off_session".equals(object.path("setup_future_usage").asText(""))
                && !method.isEmpty() && !"null".equals(method);
        Uni<StripeProvider.Card> card = keep ? stripe.card(method) : Uni.createFrom().nullItem();
        // our payment id from the intent's metadata: an off-session charge's webhook can arrive before we stored the intent id
        UUID ours;
        try {
            ours = UUID.fromString(object.path("metadata").path("payment_id").asText(""));
        } catch (IllegalArgumentException e) {
            ours = null;
        }
        UUID paymentRef = ours;
        return card.chain(saved -> crediting.once("stripe", eventId, type, c -> switch (type) {
            case "payment_intent.succeeded" -> crediting.succeeded(c, "stripe", intentId, paymentRef, object.path("amount").asLong(-1),
                    object.path("currency").asText(""), saved);
            case "payment_intent.payment_failed", "payment_intent.canceled" -> crediting.failed(c, "stripe", intentId, paymentRef,
                    object.path("last_payment_error").path("message").asText(type));
            default -> Uni.createFrom().item(new Receipt(true, false, false, "ignored"));
        }));
    }

    /**
     * A YooKassa notification. It carries no signature: it is taken only from YooKassa's addresses
     * (403 otherwise), and what it claims is never believed: the payment is fetched back and its
     * fetched status decides. Once per payment and outcome.
     */
    public Uni<NotificationReceipt> yookassaNotification(String clientIp, byte[] body) {
        if (!yookassa.allowed(clientIp)) {
            throw ProblemException.forbidden("UNTRUSTED_SOURCE", "Notifications are accepted only from YooKassa's addresses.");
        }
        String id;
        try {
            id = json.readTree(body).path("object").path("id").asText("");
        } catch (IOException e) {
            id = "";
        }
        if (id.isEmpty()) {
            return Uni.createFrom().item(new NotificationReceipt(false, false, "invalid_payload", false));
        }
        return yookassa.fetch(id).chain(f -> switch (f.status()) {
            case "succeeded" -> crediting.once("yookassa", f.id() + ":succeeded", "payment.succeeded",
                    c -> crediting.succeeded(c, "yookassa", f.id(), null, f.amountMinor(), f.currency(), null));
            case "canceled" -> crediting.once("yookassa", f.id() + ":canceled", "payment.canceled",
                    c -> crediting.failed(c, "yookassa", f.id(), null, f.cancellationReason() == null ? "canceled" : f.cancellationReason()));
            default -> Uni.createFrom().item(new Receipt(true, false, false, "status " + f.status()));
        }).map(r -> new NotificationReceipt(true, r.processed(), r.outcome(), r.duplicate()))
                .onFailure(ProblemException.class).recoverWithUni(failure -> {
                    ProblemException problem = (ProblemException) failure;
                    if (Integer.valueOf(404).equals(problem.extension(ProviderApi.PROVIDER_STATUS))) {
                        // YooKassa does not know the payment: a forged or mistyped notification, answered 200
                        return Uni.createFrom().item(new NotificationReceipt(false, false, "unknown_payment", false));
                    }
                    if ("PROVIDER_ERROR".equals(problem.code())) {
                        // Not verified, so not acknowledged: a 200 here would stop YooKassa's retries and lose
                        // the payment. Its retries come back after the provider answers again.
                        return Uni.createFrom().failure(new ProblemException(503, "PROVIDER_UNAVAILABLE",
                                "Service unavailable", "The payment could not be verified with YooKassa yet; retry later.",
                                List.of(), Map.of(), Map.of("Retry-After", "60")));
                    }
                    return Uni.createFrom().failure(failure);
                });
    }

    /**
     * A CoinGate callback (form fields). Its {@code token} must be the one we gave the order (403
     * {@code UNAUTHORIZED_CALLBACK} otherwise); the order is then fetched back and its status decides.
     */
    public Uni<Receipt> coingateCallback(Map<String, String> form) {
        String orderId = form.getOrDefault("id", "");
        String token = form.getOrDefault("token", "");
        return ledger.pool().preparedQuery("select callback_token from payments where provider = 'coingate' and provider_payment_id = $1")
                .execute(Tuple.of(orderId))
                .chain(rows -> {
                    String expected = rows.size() == 0 ? null : rows.iterator().next().getString(0);
                    if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                            token.getBytes(StandardCharsets.UTF_8))) {
                        throw ProblemException.forbidden("UNAUTHORIZED_CALLBACK", "Unauthorized callback source.");
                    }
                    return coingate.fetch(orderId);
                })
                .chain(f -> switch (f.status()) {
                    case "paid" -> crediting.once("coingate", f.id() + ":paid", "order.paid",
                            c -> crediting.succeeded(c, "coingate", f.id(), null, f.amountMinor(), f.currency(), null));
                    case "canceled", "expired", "invalid" -> crediting.once("coingate", f.id() + ":" + f.status(), "order." + f.status(),
                            c -> crediting.failed(c, "coingate", f.id(), null, "order " + f.status()));
                    default -> Uni.createFrom().item(new Receipt(true, false, false, "status " + f.status()));
                });
    }

    /**
     * Settles a Stripe payment from the intent read back, for when its webhook never came: the same
     * crediting (or failing) step, which moves a payment out of pending once, so a webhook arriving
     * later changes nothing.
     */
    public Uni<Receipt> reconcileStripe(UUID paymentId, String intentId) {
        return stripe.intent(intentId).chain(i -> switch (i.status()) {
            case "succeeded" -> crediting.once("stripe", "reconcile:" + intentId + ":succeeded", "payment_intent.reconciled",
                    c -> crediting.succeeded(c, "stripe", intentId, paymentId, i.amountMinor(), i.currency(), null));
            case "requires_payment_method", "canceled" -> crediting.once("stripe", "reconcile:" + intentId + ":failed", "payment_intent.reconciled",
                    c -> crediting.failed(c, "stripe", intentId, paymentId, i.declineReason() == null ? i.status() : i.declineReason()));
            default -> Uni.createFrom().item(new Receipt(true, false, false, "status " + i.status()));
        });
    }
}
