package io.tollgate.billing.payments;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.promos.Promos;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Top-ups: a payment row in our books first (with its promo reserved), then the provider's payment;
 * the credit comes only through the provider's notification ({@link ProviderNotifications}, then
 * {@link Crediting}). Lists and lookups are scoped by the payment's owner.
 */
@ApplicationScoped
public class TopUps {

    public static final Set<String> PROVIDERS = Set.of("stripe", "yookassa", "coingate");
    static final long YOOKASSA_MIN_MINOR = 50_000;
    static final long COINGATE_MIN_MINOR = 1_000;
    static final long COINGATE_MAX_MINOR = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();

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

    private static final String COLUMNS = """
            id, provider, provider_payment_id, amount_minor, credited_minor, currency, status, trigger, redirect_url,
            failure_reason, invoice_id, created_at, confirmed_at, failed_at""";

    private final Ledger ledger;
    private final Promos promos;
    private final StripeProvider stripe;
    private final YooKassaProvider yookassa;
    private final CoinGateProvider coingate;
    private final long minMinor;
    private final long maxMinor;
    private final Set<String> currencies;

    public TopUps(Ledger ledger, Promos promos, StripeProvider stripe, YooKassaProvider yookassa, CoinGateProvider coingate,
                  @ConfigProperty(name = "tollgate.billing.top-up.min-minor", defaultValue = "500") long minMinor,
                  @ConfigProperty(name = "tollgate.billing.top-up.max-minor", defaultValue = "1000000") long maxMinor,
                  @ConfigProperty(name = "tollgate.billing.currencies", defaultValue = "USD,EUR,GBP,RUB") List<String> currencies) {
        this.ledger = ledger;
        this.promos = promos;
        this.stripe = stripe;
        this.yookassa = yookassa;
        this.coingate = coingate;
        this.minMinor = minMinor;
        this.maxMinor = maxMinor;
        this.currencies = Set.copyOf(currencies);
    }

    /**
     * A checkout; {@code saveCard} keeps the card paid with for auto top-up (it becomes the default if
     * there is none). Its writes commit through {@code effects} (the Idempotency-Key's staged run):
     * the payment row before the provider is asked, then what the provider answered, so a retry
     * after the first of them never creates a second payment.
     */
    public Uni<TopUp> topUp(Idempotency.Effects effects, UUID userId, UUID tenantId, long amountMinor, String currency,
                            String provider, String promoCode, boolean saveCard) {
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
        String callbackToken = "coingate".equals(provider) ? HexFormat.of().formatHex(randomBytes(24)) : null;
        UUID paymentId = UUID.randomUUID();
        boolean promo = promoCode != null && !promoCode.isBlank();
        // the payment row and its promo redemption commit together, before the provider is asked
        return ledger.wallet(userId, tenantId, code)
                .chain(wallet -> effects.commit(c -> c.preparedQuery("""
                                        insert into payments (id, wallet_id, user_id, tenant_id, provider, amount_minor, currency, status,
                                                              save_method, callback_token)
                                        values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)""")
                                .execute(Tuple.from(new Object[] {paymentId, wallet.walletId(), userId, tenantId, provider, amountMinor, code,
                                        saveCard, callbackToken}))
                                .chain(() -> promo ? promos.reserve(c, userId, promoCode, amountMinor, code, paymentId)
                                        : Uni.createFrom().item(0L))))
                .chain(bonus -> createAt(provider, paymentId, amountMinor, code, callbackToken, saveCard)
                        .onFailure().call(e -> effects.commit(c -> c.preparedQuery("""
                                        update payments set status = 'failed', failure_reason = $2, failed_at = now(), updated_at = now()
                                        where id = $1""")
                                .execute(Tuple.of(paymentId, String.valueOf(e.getMessage())))
                                .chain(() -> promos.release(c, paymentId))))
                        .chain(created -> effects.commit(c -> c.preparedQuery("""
                                        update payments set provider_payment_id = $2, client_secret = $3, redirect_url = $4,
                                                            updated_at = now()
                                        where id = $1""")
                                .execute(Tuple.of(paymentId, created.providerPaymentId(), created.clientSecret(), created.redirectUrl())))
                                .map(x -> new TopUp(paymentId, provider, created.providerPaymentId(), created.redirectUrl(),
                                        created.clientSecret(), "pending", amountMinor, code,
                                        promo ? Promos.normalize(promoCode) : null, bonus))));
    }

    public Uni<Page<PaymentView>> page(Owner owner, String status, PageRequest page) {
        UUID userId = owner.userId();
        UUID tenantId = owner.tenantId();
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

    /** A payment and its tenant, for the signed payment page (no owner: the link's signature stands for one). */
    public record Signed(PaymentView view, UUID tenantId) {
    }

    /** The payment a verified page link names, or null. */
    public Uni<Signed> bySignedLink(UUID id) {
        return ledger.pool().preparedQuery("select tenant_id, " + COLUMNS + " from payments where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : new Signed(PaymentView.of(rows.iterator().next()), rows.iterator().next().getUUID("tenant_id")));
    }

    public Uni<PaymentView> one(Owner owner, UUID id) {
        return ledger.pool().preparedQuery("select " + COLUMNS + " from payments where id = $1 and user_id = $2 and tenant_id = $3")
                .execute(Tuple.of(id, owner.userId(), owner.tenantId()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("payment");
                    }
                    return PaymentView.of(rows.iterator().next());
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

    private static byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        return out;
    }
}
