package io.tollgate.billing.payments;

import io.quarkus.runtime.Startup;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.pages.SignedLinks;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.UUID;

/**
 * The payment's own page, {@code <base>/billing/payments/<id>?sig=<tag>}: where every provider sends
 * the customer back after its checkout, and where the receipt mail links (notification-svc signs with
 * the same {@code tollgate.pages.link-key}). The signature is the only credential, so the page shows
 * no more than a receipt would: status, amount, provider and dates.
 */
@ApplicationScoped
@Startup
public class PaymentLinks {

    public static final String PURPOSE = "payment";
    static final String DEVELOPMENT_KEY = "local-development-pages-link-key";

    private final String base;
    private final SignedLinks signed;

    public PaymentLinks(@ConfigProperty(name = "tollgate.billing.pages.base-url") String base,
                        @ConfigProperty(name = "tollgate.pages.link-key") String key) {
        DeploymentSecrets.require("tollgate.pages.link-key", key, DEVELOPMENT_KEY);
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.signed = new SignedLinks(key);
    }

    public String url(UUID paymentId) {
        return base + "/billing/payments/" + paymentId + "?sig=" + signed.sign(PURPOSE, paymentId.toString());
    }

    public boolean verify(UUID paymentId, String signature) {
        return signed.verify(PURPOSE, paymentId.toString(), signature);
    }
}
