package io.tollgate.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.promos.Promos;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Top-ups: a payment row in our books first, then the provider's payment, then (only through the
 * provider's signed notification) the credit, exactly once per provider payment.
 */
@ApplicationScoped
public class Payments {

    private static final Logger LOG = Logger.getLogger(Payments.class);
    public static final Set<String> PROVIDERS = Set.of("stripe", "yookassa", "coingate");
    static final long YOOKASSA_MIN_MINOR = 50_000;
    static final long COINGATE_MIN_MINOR = 1_000;
    static final long COINGATE_MAX_MINOR = 100_000;
    private static final Map<String, String> DISPLAY = Map.of("stripe", "Stripe", "yookassa", "YooKassa", "coingate", "CoinGate");
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** YooKassa's answer shape: {@code {ok, processed, reason, deduped}}, always with 200. */
    public record NotificationReceipt(boolean ok, boolean processed, String reason, boolean deduped) {
    }

    public record PaymentView(UUID id, String provider, String providerPaymentId, long amountMinor, long creditedMinor,
                              String currency, String status, String trigger, String redirectUrl, String failureReason,
                              UUID invoiceId, Instant createdAt, Instant confirmedAt, Instant failedAt) {
        static PaymentView of(Row row) {
            return new PaymentView(row.getUUID("id"), row.getString("provider"), row.getString("provider_payment_id"),
                    row.getLong("amount_minor"), row.getLong("credited_minor"), row.getString("currency").trim(),
                    row.getString("status"), row.getString("trigger"), row.getString("redirect_url"),
                    row.getString("failure_reason"), row.getUUID("invoice_id"), instant(row.getOffsetDateTime("created_at")),
                    instant(row.getOffsetDateTime("confirmed_at")), instant(row.getOffsetDateTime("failed_at")));
        }

        private static Instant instant(OffsetDateTime at) {
            return at == null ? null : at.toInstant();
        }
    }

    public record TopUp(UUID paymentId, String provider, String providerPaymentId, String redirectUrl, String clientSecret,
                        String status, long amountMinor, String currency, String promoCode, long promoBonusMinor) {
    }

    /** What the webhook did with one notification. */
    public record Receipt(boolean received, boolean processed, boolean duplicate, String outcome) {
    }

    private static final String COLUMNS = """
            id, provider, provider_payment_id, amount_minor, credited_minor, currency, status, trigger, redirect_url,
            failure_reason, invoice_id, created_at, confirmed_at, failed_at""";

    private final Ledger ledger;
    private final io.tollgate.billing.alerts.Alerts alerts;
    private final io.tollgate.billing.promos.Promos promos;
    private final io.tollgate.billing.invoices.Invoices invoices;
    private final StripeProvider stripe;
    private final YooKassaProvider yookassa;
    private final CoinGateProvider coingate;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final Clock clock;
    private final long minMinor;
    private final long maxMinor;
    private final Set<String> currencies;

    public Payments(Ledger ledger, io.tollgate.billing.alerts.Alerts alerts, io.tollgate.billing.promos.Promos promos, io.tollgate.billing.invoices.Invoices invoices, StripeProvider stripe,
                    YooKassaProvider yookassa, CoinGateProvider coingate, Outbox outbox, ObjectMapper json, Clock clock,
                    @ConfigProperty(name = "tollgate.billing.top-up.min-minor", defaultValue = "500") long minMinor,
                    @ConfigProperty(name = "tollgate.billing.top-up.max-minor", defaultValue = "1000000") long maxMinor,
                    @ConfigProperty(name = "tollgate.billing.currencies", defaultValue = "USD,EUR,GBP,RUB") List<String> currencies) {
        this.ledger = ledger;
        this.alerts = alerts;
        this.promos = promos;
        this.invoices = invoices;
        this.stripe = stripe;
        this.yookassa = yookassa;
        this.coingate = coingate;
        this.outbox = outbox;
        this.json = json;
        this.clock = clock;
        this.minMinor = minMinor;
        this.maxMinor = maxMinor;
        this.currencies = Set.copyOf(currencies);
    }

    public Uni<TopUp> topUp(UUID userId, UUID tenantId, long amountMinor, String currency, String provider, String promoCode) {
        return topUp(userId, tenantId, amountMinor, currency, provider, promoCode, false);
    }

    /** A checkout; {@code saveCard} keeps the card paid with for auto top-up (it becomes the default if there is none). */
    public Uni<TopUp> topUp(UUID userId, UUID tenantId, long amountMinor, String currency, String provider, String promoCode,
                            boolean saveCard) {
        String code = currency != null ? currency.toUpperCase(Locale.ROOT) : "yookassa".equals(provider) ? "RUB" : ledger.defaultCurrency();
        if (!currencies.contains(code)) {
            throw ProblemException.validation("currency", "must be one of " + String.join(", ", currencies.stream().sorted().toList()));
        }
        if (amountMinor < minMinor || amountMinor > maxMinor) {
            throw ProblemException.validation("amount_minor", "must be between " + minMinor + " and " + maxMinor);
        }
        if (!PROVIDERS.contains(provider)) {
            throw ProblemException.validation("provider", "must be one of stripe, yookassa, coingate");
        }
        if ("yookassa".equals(provider) && (!"RUB".equals(code) || amountMinor < YOOKASSA_MIN_MINOR)) {
            throw ProblemException.validation(!"RUB".equals(code) ? "currency" : "amount_minor",
                    "YooKassa takes RUB from " + YOOKASSA_MIN_MINOR / 100 + " RUB");
        }
        if ("coingate".equals(provider) && (!Set.of("USD", "EUR").contains(code) || amountMinor < COINGATE_MIN_MINOR
                || amountMinor > COINGATE_MAX_MINOR)) {
            throw ProblemException.validation(!Set.of("USD", "EUR").contains(code) ? "currency" : "amount_minor",
                    "CoinGate takes USD or EUR from 10 to 1000");
        }
        if (saveCard && !"stripe".equals(provider)) {
            throw ProblemException.validation("save_payment_method", "cards are kept only for Stripe payments");
        }
        String callbackToken = "coingate".equals(provider) ? java.util.HexFormat.of().formatHex(randomBytes(24)) : null;
        UUID paymentId = UUID.randomUUID();
        boolean promo = promoCode != null && !promoCode.isBlank();
        long[] bonus = {0};
        // the payment row and its promo redemption commit together, before the provider is asked
        return ledger.wallet(userId, tenantId, code)
                .chain(wallet -> ledger.pool().withTransaction(c -> c.preparedQuery("""
                                        insert into payments (id, wallet_id, user_id, tenant_id, provider, amount_minor, currency, status,
                                                              save_method, callback_token)
                                        values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)""")
                                .execute(Tuple.from(new Object[] {paymentId, wallet.walletId(), userId, tenantId, provider, amountMinor, code,
                                        saveCard, callbackToken}))
                                .chain(() -> promo ? promos.reserve(c, userId, promoCode, amountMinor, code, paymentId)
                                        : Uni.createFrom().item(0L))
                                .invoke(b -> bonus[0] = b)))
                .chain(() -> createAt(provider, paymentId, amountMinor, code, callbackToken, saveCard)
                        .onFailure().call(e -> ledger.pool().withTransaction(c -> c.preparedQuery("""
                                        update payments set status = 'failed', failure_reason = $2, failed_at = now(), updated_at = now()
                                        where id = $1""")
                                .execute(Tuple.of(paymentId, String.valueOf(e.getMessage())))
                                .chain(() -> promos.release(c, paymentId)))))
                .chain(created -> ledger.pool().preparedQuery("""
                                update payments set provider_payment_id = $2, client_secret = $3, redirect_url = $4, updated_at = now()
                                where id = $1""")
                        .execute(Tuple.of(paymentId, created.providerPaymentId(), created.clientSecret(), created.redirectUrl()))
                        .map(x -> new TopUp(paymentId, provider, created.providerPaymentId(), created.redirectUrl(),
                                created.clientSecret(), "pending", amountMinor, code,
                                promo ? Promos.normalize(promoCode) : null, bonus[0])));
    }

    public Uni<Page<PaymentView>> page(UUID userId, UUID tenantId, String status, PageRequest page) {
        String where = " where user_id = $1 and tenant_id = $2 and ($3::text is null or status = $3)";
        return ledger.pool().preparedQuery("select count(*) from payments" + where).execute(Tuple.of(userId, tenantId, status))
                .chain(count -> ledger.pool().preparedQuery("select " + COLUMNS + " from payments" + where
                                + " order by created_at desc, id limit $4 offset $5")
                        .execute(Tuple.of(userId, tenantId, status, page.size(), page.offset()))
                        .map(rows -> {
                            List<PaymentView> data = new ArrayList<>();
                            rows.forEach(r -> data.add(PaymentView.of(r)));
                            return Page.of(data, page, count.iterator().next().getLong(0));
                        }));
    }

    public Uni<PaymentView> one(UUID userId, UUID tenantId, UUID id) {
        return ledger.pool().preparedQuery("select " + COLUMNS + " from payments where id = $1 and user_id = $2 and tenant_id = $3")
                .execute(Tuple.of(id, userId, tenantId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("payment");
                    }
                    return PaymentView.of(rows.iterator().next());
                });
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
        return card.chain(saved -> ledger.pool().withTransaction(c -> c.preparedQuery("""
                                insert into provider_events (provider, event_id, type) values ('stripe', $1, $2)
                                on conflict do nothing returning event_id""")
                        .execute(Tuple.of(eventId, type))
                        .chain(inserted -> {
                            if (inserted.size() == 0) {
                                return Uni.createFrom().item(new Receipt(true, false, true, "duplicate"));
                            }
                            return switch (type) {
                                case "payment_intent.succeeded" -> succeeded(c, "stripe", intentId, paymentRef, object.path("amount").asLong(-1),
                                        object.path("currency").asText(""), saved);
                                case "payment_intent.payment_failed", "payment_intent.canceled" -> failed(c, "stripe", intentId, paymentRef,
                                        object.path("last_payment_error").path("message").asText(type));
                                default -> Uni.createFrom().item(new Receipt(true, false, false, "ignored"));
                            };
                        })));
    }

    private Uni<Receipt> succeeded(SqlClient c, String provider, String intentId, UUID paymentRef, long amount, String currency,
                                   StripeProvider.Card card) {
        return c.preparedQuery("""
                        update payments set status = 'succeeded', credited_minor = amount_minor, confirmed_at = now(),
                                            provider_payment_id = $1, updated_at = now()
                        where provider = $5 and status = 'pending'
                          and (provider_payment_id = $1 or (provider_payment_id is null and id = $4))
                          and amount_minor = $2 and lower(currency) = lower($3)
                        returning id, wallet_id, user_id, tenant_id, amount_minor, currency, trigger, provider_payment_id, save_method""")
                .execute(Tuple.of(intentId, amount, currency, paymentRef, provider))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        LOG.warnf("%s success for %s matched no pending payment of that amount", provider, intentId);
                        return Uni.createFrom().item(new Receipt(true, false, false, "no_pending_payment"));
                    }
                    Row p = rows.iterator().next();
                    UUID id = p.getUUID("id");
                    UUID userId = p.getUUID("user_id");
                    UUID tenantId = p.getUUID("tenant_id");
                    long credited = p.getLong("amount_minor");
                    String code = p.getString("currency").trim();
                    UUID walletId = p.getUUID("wallet_id");
                    long[] bonus = {0};
                    return ledger.move(c, walletId, credited,
                                    new Ledger.Entry("topup", "provider:" + provider, "payment", id.toString(), "Top-up through " + DISPLAY.get(provider)))
                            .chain(b -> promos.apply(c, id))
                            .call(due -> {
                                bonus[0] = due;
                                return due == 0 ? Uni.createFrom().voidItem()
                                        : ledger.move(c, walletId, due, new Ledger.Entry("promo_bonus", "platform:promotions", "payment",
                                                id.toString(), "Promo bonus")).chain(b -> c.preparedQuery(
                                                "update payments set credited_minor = amount_minor + $2 where id = $1")
                                                .execute(Tuple.of(id, due))).replaceWithVoid();
                            })
                            .call(due -> alerts.check(c, walletId))
                            .chain(due -> invoices.issuePaid(c, tenantId, userId, code, credited, provider, id, "Account top-up",
                                    "topup"))
                            .call(invoiceId -> c.preparedQuery("update payments set invoice_id = $2 where id = $1")
                                    .execute(Tuple.of(id, invoiceId)))
                            .call(invoiceId -> card == null || !p.getBoolean("save_method") ? Uni.createFrom().voidItem()
                                    : keepCard(c, userId, tenantId, card))
                            .call(invoiceId -> settleAutoTopUp(c, id, "succeeded", false))
                            .call(invoiceId -> outbox.append(c, id.toString(), "users/" + userId, new PaymentSucceeded(userId,
                                    tenantId, id, provider, intentId, credited, code, credited + bonus[0], invoiceId,
                                    p.getString("trigger"), clock.instant())))
                            .replaceWith(new Receipt(true, true, false, "credited"));
                });
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
            case "succeeded" -> once("yookassa", f.id() + ":succeeded", "payment.succeeded",
                    c -> succeeded(c, "yookassa", f.id(), null, f.amountMinor(), f.currency(), null));
            case "canceled" -> once("yookassa", f.id() + ":canceled", "payment.canceled",
                    c -> failed(c, "yookassa", f.id(), null, f.cancellationReason() == null ? "canceled" : f.cancellationReason()));
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
                    if (expected == null || !java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                            token.getBytes(StandardCharsets.UTF_8))) {
                        throw ProblemException.forbidden("UNAUTHORIZED_CALLBACK", "Unauthorized callback source.");
                    }
                    return coingate.fetch(orderId);
                })
                .chain(f -> switch (f.status()) {
                    case "paid" -> once("coingate", f.id() + ":paid", "order.paid",
                            c -> succeeded(c, "coingate", f.id(), null, f.amountMinor(), f.currency(), null));
                    case "canceled", "expired", "invalid" -> once("coingate", f.id() + ":" + f.status(), "order." + f.status(),
                            c -> failed(c, "coingate", f.id(), null, "order " + f.status()));
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
            case "succeeded" -> once("stripe", "reconcile:" + intentId + ":succeeded", "payment_intent.reconciled",
                    c -> succeeded(c, "stripe", intentId, paymentId, i.amountMinor(), i.currency(), null));
            case "requires_payment_method", "canceled" -> once("stripe", "reconcile:" + intentId + ":failed", "payment_intent.reconciled",
                    c -> failed(c, "stripe", intentId, paymentId, i.declineReason() == null ? i.status() : i.declineReason()));
            default -> Uni.createFrom().item(new Receipt(true, false, false, "status " + i.status()));
        });
    }

    private Uni<StripeProvider.Created> createAt(String provider, UUID paymentId, long amountMinor, String currency, String callbackToken,
                                                 boolean saveCard) {
        return switch (provider) {
            case "yookassa" -> yookassa.create(paymentId, amountMinor, currency);
            case "coingate" -> coingate.create(paymentId, amountMinor, currency, callbackToken);
            default -> stripe.create(paymentId, amountMinor, currency, saveCard);
        };
    }

    /** Runs {@code work} in a transaction once per provider event id; a repeat is acknowledged and changes nothing. */
    private Uni<Receipt> once(String provider, String eventId, String type, java.util.function.Function<SqlClient, Uni<Receipt>> work) {
        return ledger.pool().withTransaction(c -> c.preparedQuery("""
                                insert into provider_events (provider, event_id, type) values ($1, $2, $3)
                                on conflict do nothing returning event_id""")
                .execute(Tuple.of(provider, eventId, type))
                .chain(inserted -> inserted.size() == 0 ? Uni.createFrom().item(new Receipt(true, false, true, "duplicate")) : work.apply(c)));
    }

    private static byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        return out;
    }

    private static Uni<Void> keepCard(SqlClient c, UUID userId, UUID tenantId, StripeProvider.Card card) {
        return c.preparedQuery("""
                        insert into payment_methods (id, user_id, tenant_id, provider, provider_method_id, brand, last4, exp_month, exp_year,
                                                     is_default)
                        select $1, $2, $3, 'stripe', $4, $5, $6, $7, $8,
                               not exists (select 1 from payment_methods where user_id = $2 and is_default)
                        on conflict (provider, provider_method_id) do nothing""")
                .execute(Tuple.from(new Object[] {UUID.randomUUID(), userId, tenantId, card.providerMethodId(), card.brand(), card.last4(),
                        card.expMonth(), card.expYear()}))
                .replaceWithVoid();
    }

    /** The auto top-up that was waiting for this payment may try again (after a decline, not for an hour). */
    private static Uni<Void> settleAutoTopUp(SqlClient c, UUID paymentId, String result, boolean declined) {
        return c.preparedQuery("""
                        update auto_topup set pending_payment_id = null, due = false, last_result = $2,
                               last_failed_at = case when $3 then now() else last_failed_at end, updated_at = now()
                        where pending_payment_id = $1""")
                .execute(Tuple.of(paymentId, result, declined)).replaceWithVoid();
    }

    private Uni<Receipt> failed(SqlClient c, String provider, String intentId, UUID paymentRef, String reason) {
        return c.preparedQuery("""
                        update payments set status = 'failed', failure_reason = $2, failed_at = now(), provider_payment_id = $1,
                                            updated_at = now()
                        where provider = $4 and status = 'pending'
                          and (provider_payment_id = $1 or (provider_payment_id is null and id = $3))
                        returning id, user_id, tenant_id, amount_minor, currency, trigger""")
                .execute(Tuple.of(intentId, reason, paymentRef, provider))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(new Receipt(true, false, false, "no_pending_payment"));
                    }
                    Row p = rows.iterator().next();
                    UUID id = p.getUUID("id");
                    return promos.release(c, id).chain(() -> settleAutoTopUp(c, id, "declined: " + reason, true)).chain(() -> outbox.append(c, id.toString(), "users/" + p.getUUID("user_id"), new PaymentFailed(p.getUUID("user_id"),
                                    p.getUUID("tenant_id"), id, provider, p.getLong("amount_minor"), p.getString("currency").trim(),
                                    reason, p.getString("trigger"), clock.instant())))
                            .replaceWith(new Receipt(true, true, false, "failed"));
                });
    }
}
