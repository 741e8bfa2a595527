package io.tollgate.identity.pages;

import io.smallrye.mutiny.Uni;
import io.tollgate.identity.tenants.Tenant;
import io.tollgate.identity.tenants.TenantRepository;
import io.tollgate.identity.users.AccountRecoveryService;
import io.tollgate.identity.users.PasswordPolicy;
import io.tollgate.kit.pages.Brand;
import io.tollgate.kit.pages.PageView;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The hosted pages of identity: the landing, address verification and password reset. Each
 * decides what to show from the link's token (or the form) through the same service calls as the
 * API, so the page and {@code /v1/auth/...} accept and refuse the same things; bad input comes back
 * as a message beside its field with status 400. The tenant's look comes from the token's user, or
 * from {@code ?tenant=<slug>} on a page opened without one.
 */
@ApplicationScoped
public class AccountPages {

    private static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]{1,189}$");
    private static final Pattern CODE = Pattern.compile("^[0-9]{6}$");
    private static final int MAX_TOKEN = 100;

    /** The verification page's form. {@code action}: {@code code} (default), {@code resend} (by the token) or {@code resend-email}. */
    public record VerifyForm(String action, String token, String tenant, String email, String code) {
    }

    /** The reset page's form. {@code action}: {@code reset} (default) or {@code request} (mail me a new link). */
    public record ResetForm(String action, String token, String tenant, String email, String password, String confirm) {
    }

    private final AccountRecoveryService recovery;
    private final TenantRepository tenants;
    private final Pool pool;

    public AccountPages(AccountRecoveryService recovery, TenantRepository tenants, Pool pool) {
        this.recovery = recovery;
        this.tenants = tenants;
        this.pool = pool;
    }

    public Uni<PageView> landing(String tenant) {
        return tenantBySlug(tenant).map(t -> PageView.ok(brand(t), data("tenant", slugOf(t))));
    }

    // ---- verify e-mail ----

    public Uni<PageView> openVerification(String token, String tenant) {
        if (blank(token)) {
            return tenantBySlug(tenant).map(t -> PageView.ok(brand(t), data("state", "code", "tenant", slugOf(t))));
        }
        if (token.length() > MAX_TOKEN) {
            return tenantBySlug(tenant).map(t -> PageView.ok(brand(t), data("state", "unknown", "tenant", slugOf(t))));
        }
        return recovery.openVerificationLink(token).chain(opened -> tenantFor(opened.tenantId(), tenant).map(t -> PageView.ok(brand(t),
                data("state", opened.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'), "token", token, "tenant", slugOf(t)))));
    }

    public Uni<PageView> submitVerification(VerifyForm form) {
        String action = form.action() == null ? "code" : form.action();
        String token = form.token() == null || form.token().length() > MAX_TOKEN ? null : form.token();
        return switch (action) {
            case "resend" -> blank(token) ? openVerification(null, form.tenant())
                    : recovery.resendByToken(token).chain(() -> recovery.openVerificationLinkState(token))
                            .chain(tenantId -> tenantFor(tenantId, form.tenant()))
                            .map(t -> PageView.ok(brand(t), data("state", "resent", "tenant", slugOf(t))));
            case "resend-email" -> tenantBySlug(form.tenant()).map(t -> {
                Map<String, String> errors = emailErrors(form.email());
                if (!errors.isEmpty()) {
                    return new PageView(400, brand(t), data("state", "code", "tenant", slugOf(t), "email", form.email(), "errors", errors));
                }
                recovery.inBackground("verification resend", () -> recovery.resendVerification(slugOf(t), form.email().strip()));
                return PageView.ok(brand(t), data("state", "resent", "tenant", slugOf(t)));
            });
            default -> tenantBySlug(form.tenant()).chain(t -> {
                Map<String, String> errors = emailErrors(form.email());
                String code = form.code() == null ? "" : form.code().replace(" ", "");
                if (!CODE.matcher(code).matches()) {
                    errors.put("code", "Enter the 6 digits from the mail.");
                }
                if (!errors.isEmpty()) {
                    return Uni.createFrom().item(new PageView(400, brand(t), data("state", "code", "tenant", slugOf(t), "email",
                            form.email(), "errors", errors)));
                }
                return recovery.verifyByCode(slugOf(t), form.email().strip(), code)
                        .map(user -> PageView.ok(brand(t), data("state", "verified", "tenant", slugOf(t))))
                        .onFailure(ProblemException.class).recoverWithItem(e -> new PageView(400, brand(t), data("state", "code",
                                "tenant", slugOf(t), "email", form.email(), "errors",
                                Map.of("code", "That code is wrong or has expired. Check the newest mail, or ask for a new one below."))));
            });
        };
    }

    // ---- reset password ----

    public Uni<PageView> openReset(String token, String tenant) {
        if (blank(token)) {
            return tenantBySlug(tenant).map(t -> PageView.ok(brand(t), data("state", "request", "tenant", slugOf(t))));
        }
        if (token.length() > MAX_TOKEN) {
            return tenantBySlug(tenant).map(t -> PageView.ok(brand(t), data("state", "invalid", "tenant", slugOf(t))));
        }
        return recovery.resetLink(token).chain(state -> tenantFor(state == null ? null : state.tenantId(), tenant)
                .map(t -> PageView.ok(brand(t), state != null && state.open()
                        ? data("state", "form", "token", token, "tenant", slugOf(t))
                        : data("state", state != null && state.used() ? "used" : "invalid", "tenant", slugOf(t)))));
    }

    public Uni<PageView> submitReset(ResetForm form) {
        if ("request".equals(form.action())) {
            return tenantBySlug(form.tenant()).map(t -> {
                Map<String, String> errors = emailErrors(form.email());
                if (!errors.isEmpty()) {
                    return new PageView(400, brand(t), data("state", "request", "tenant", slugOf(t), "email", form.email(), "errors", errors));
                }
                recovery.inBackground("password reset request", () -> recovery.requestReset(slugOf(t), form.email().strip()));
                return PageView.ok(brand(t), data("state", "requested", "tenant", slugOf(t)));
            });
        }
        if (blank(form.token()) || form.token().length() > MAX_TOKEN) {
            return openReset(null, form.tenant());
        }
        String token = form.token();
        return recovery.resetLink(token).chain(state -> tenantFor(state == null ? null : state.tenantId(), form.tenant()).chain(t -> {
            if (state == null || !state.open()) {
                return Uni.createFrom().item(new PageView(400, brand(t), data("state", state != null && state.used() ? "used" : "invalid",
                        "tenant", slugOf(t))));
            }
            Map<String, String> errors = new HashMap<>();
            PasswordPolicy.violation(form.password()).ifPresent(m -> errors.put("password", "The password " + m + "."));
            if (errors.isEmpty() && !form.password().equals(form.confirm())) {
                errors.put("confirm", "The two passwords are not the same.");
            }
            if (!errors.isEmpty()) {
                return Uni.createFrom().item(new PageView(400, brand(t), data("state", "form", "token", token, "tenant", slugOf(t),
                        "errors", errors)));
            }
            return recovery.confirmReset(token, form.password())
                    .map(x -> PageView.ok(brand(t), data("state", "done", "tenant", slugOf(t))))
                    .onFailure(ProblemException.class).recoverWithItem(e -> new PageView(400, brand(t), data("state", "invalid",
                            "tenant", slugOf(t))));
        }));
    }

    // ---- helpers ----

    private static Map<String, String> emailErrors(String email) {
        Map<String, String> errors = new HashMap<>();
        if (email == null || email.isBlank()) {
            errors.put("email", "Enter your e-mail address.");
        } else if (email.length() > 254 || !EMAIL.matcher(email.strip()).matches()) {
            errors.put("email", "Enter an e-mail address like name@example.com.");
        }
        return errors;
    }

    private Uni<Tenant> tenantFor(UUID tenantId, String slug) {
        return tenantId != null ? tenants.byId(tenantId) : tenantBySlug(slug);
    }

    /** The tenant a page was opened for: {@code ?tenant=} holds its slug or (in our mail's links) its id; the default one otherwise. */
    private Uni<Tenant> tenantBySlug(String slug) {
        if (slug != null && slug.length() == 36) {
            try {
                UUID id = UUID.fromString(slug);
                return tenants.byId(id).chain(t -> t != null ? Uni.createFrom().item(t) : tenants.bySlug(pool, "default"));
            } catch (IllegalArgumentException e) {
                // not an id: read it as a slug
            }
        }
        String s = slug == null || !SLUG.matcher(slug).matches() ? "default" : slug;
        return tenants.bySlug(pool, s).chain(t -> t != null || "default".equals(s) ? Uni.createFrom().item(t) : tenants.bySlug(pool, "default"));
    }

    private static Brand brand(Tenant t) {
        return t == null ? Brand.defaults() : Brand.of(t.name(), t.branding());
    }

    private static String slugOf(Tenant t) {
        return t == null ? "default" : t.slug();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Map<String, Object> data(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        map.putIfAbsent("errors", Map.of());
        map.putIfAbsent("token", null);
        map.putIfAbsent("email", null);
        map.put("passwordRule", PasswordPolicy.RULE);
        return map;
    }
}
