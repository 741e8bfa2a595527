package io.tollgate.billing.pages;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.payments.PaymentLinks;
import io.tollgate.billing.payments.TopUps;
import io.tollgate.kit.pages.Brand;
import io.tollgate.kit.pages.PageView;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The payment page: what the customer sees coming back from a provider's checkout, and what the
 * receipt links to. It shows the payment as our books have it now; while the provider's word is
 * still on its way it says so and reloads itself every few seconds (no script: a meta refresh).
 * A wrong signature and an unknown payment are the same 404 page.
 */
@ApplicationScoped
public class PaymentPage {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    static final int REFRESH_SECONDS = 3;

    private final TopUps topUps;
    private final PaymentLinks links;
    private final TenantLooks looks;

    public PaymentPage(TopUps topUps, PaymentLinks links, TenantLooks looks) {
        this.topUps = topUps;
        this.links = links;
        this.looks = looks;
    }

    public Uni<PageView> show(String id, String signature) {
        UUID paymentId;
        try {
            paymentId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return unknown();
        }
        if (!links.verify(paymentId, signature)) {
            return unknown();
        }
        return topUps.bySignedLink(paymentId).chain(p -> p == null ? unknown() : looks.brand(p.tenantId()).map(brand -> {
            TopUps.PaymentView v = p.view();
            Map<String, Object> data = new HashMap<>();
            data.put("state", v.status());
            data.put("amount", money(v.amountMinor(), v.currency()));
            data.put("credited", money(v.creditedMinor(), v.currency()));
            data.put("provider", provider(v.provider()));
            data.put("reference", v.id().toString());
            data.put("created", WHEN.format(v.createdAt()));
            data.put("decided", decided(v));
            data.put("reason", v.failureReason());
            data.put("home", "/?tenant=" + p.tenantId());
            data.put("refresh", "pending".equals(v.status()) ? String.valueOf(REFRESH_SECONDS) : null);
            return PageView.ok(brand, data);
        }));
    }

    private static String decided(TopUps.PaymentView v) {
        Instant at = v.confirmedAt() != null ? v.confirmedAt() : v.failedAt();
        return at == null ? null : WHEN.format(at);
    }

    private Uni<PageView> unknown() {
        Map<String, Object> data = new HashMap<>();
        data.put("state", "unknown");
        data.put("home", "/");
        return Uni.createFrom().item(new PageView(404, Brand.defaults(), data));
    }

    private static String provider(String name) {
        return switch (name) {
            case "stripe" -> "Card (Stripe)";
            case "yookassa" -> "YooKassa";
            case "coingate" -> "Crypto (CoinGate)";
            default -> name;
        };
    }

    static String money(long minor, String currency) {
        return BigDecimal.valueOf(minor, 2).toPlainString() + " " + currency;
    }
}
