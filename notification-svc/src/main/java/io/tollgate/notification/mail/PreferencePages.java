package io.tollgate.notification.mail;

import io.quarkus.qute.TemplateData;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.pages.Brand;
import io.tollgate.kit.pages.PageView;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The pages of a mail's footer links, opened with the user's unsubscribe token (no session): the
 * preferences (one switch per optional category, unsubscribe from all, resubscribe) and the
 * unsubscribe page, whose address is also the RFC 8058 one-click target. They change what the API's
 * {@code /v1/unsubscribe} changes, through the same {@link Preferences}. A token that is not ours
 * is a 404 page.
 */
@ApplicationScoped
public class PreferencePages {

    /** One switch on the page. */
    @TemplateData
    public record Toggle(String key, String label, String description, boolean on) {
    }

    private final UnsubscribeTokens tokens;
    private final Preferences preferences;
    private final Postman postman;
    private final MailLinks links;

    public PreferencePages(UnsubscribeTokens tokens, Preferences preferences, Postman postman, MailLinks links) {
        this.tokens = tokens;
        this.preferences = preferences;
        this.postman = postman;
        this.links = links;
    }

    private record Owner(UUID user, UUID tenant) {
    }

    public Uni<PageView> preferences(String token) {
        return owner(token).chain(o -> o == null ? unknown() : preferences.get(o.user()).chain(view -> page(o, token, view, null)));
    }

    /** {@code action}: {@code save} (the categories in {@code on} are on, the rest off), {@code unsubscribe-all} or {@code resubscribe}. */
    public Uni<PageView> changePreferences(String token, String action, List<String> on) {
        return owner(token).chain(o -> {
            if (o == null) {
                return unknown();
            }
            return switch (action == null ? "save" : action) {
                case "unsubscribe-all" -> preferences.update(o.user(), o.tenant(), Map.of(), true)
                        .chain(view -> page(o, token, view, "You will get no more optional mail. Security and account mail still comes."));
                case "resubscribe" -> preferences.update(o.user(), o.tenant(), Map.of(), false)
                        .chain(view -> page(o, token, view, "You are subscribed again, to the categories switched on below."));
                default -> {
                    Set<String> wanted = on == null ? Set.of() : Set.copyOf(on);
                    Map<String, Object> changes = new LinkedHashMap<>();
                    for (MailCategory c : MailCategory.optional()) {
                        changes.put(c.key(), wanted.contains(c.key()));
                    }
                    yield preferences.update(o.user(), o.tenant(), changes, null).chain(view -> page(o, token, view, "Your choices are saved."));
                }
            };
        });
    }

    /** The unsubscribe page: asks before it changes anything (a link scanner's GET changes nothing). */
    public Uni<PageView> unsubscribe(String token) {
        return owner(token).chain(o -> o == null ? unknown() : preferences.get(o.user()).chain(view -> unsubscribePage(o, token,
                view.unsubscribedFromAll() ? "done" : "confirm")));
    }

    /** Unsubscribes from all optional mail: the page's button, or a mail client's one-click POST. */
    public Uni<PageView> unsubscribeAll(String token) {
        return owner(token).chain(o -> o == null ? unknown() : preferences.update(o.user(), o.tenant(), Map.of(), true)
                .chain(view -> unsubscribePage(o, token, "done")));
    }

    public Uni<PageView> resubscribe(String token) {
        return owner(token).chain(o -> o == null ? unknown() : preferences.update(o.user(), o.tenant(), Map.of(), false)
                .chain(view -> unsubscribePage(o, token, "resubscribed")));
    }

    private Uni<PageView> page(Owner o, String token, Preferences.View view, String saved) {
        List<Toggle> toggles = new ArrayList<>();
        for (MailCategory c : MailCategory.optional()) {
            toggles.add(new Toggle(c.key(), c.label(), c.description(), Boolean.TRUE.equals(view.subscriptions().get(c.key()))));
        }
        List<Toggle> always = new ArrayList<>();
        for (MailCategory c : MailCategory.values()) {
            if (c.transactional()) {
                always.add(new Toggle(c.key(), c.label(), c.description(), true));
            }
        }
        return postman.pageBrand(o.tenant()).map(brand -> PageView.ok(brand, data("state", "preferences", "token", token,
                "toggles", toggles, "always", always, "unsubscribedAll", view.unsubscribedFromAll(), "saved", saved)));
    }

    private Uni<PageView> unsubscribePage(Owner o, String token, String state) {
        return postman.pageBrand(o.tenant()).map(brand -> PageView.ok(brand, data("state", state, "token", token,
                "preferencesUrl", "/email-preferences?token=" + token)));
    }

    private Uni<PageView> unknown() {
        return Uni.createFrom().item(new PageView(404, Brand.defaults(), data("state", "unknown")));
    }

    private Uni<Owner> owner(String token) {
        UUID user = tokens.verify(token).orElse(null);
        return user == null ? Uni.createFrom().nullItem() : preferences.tenantOf(user).map(t -> t == null ? null : new Owner(user, t));
    }

    private Map<String, Object> data(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        map.putIfAbsent("token", null);
        map.putIfAbsent("saved", null);
        map.put("home", links.base() + "/");
        return map;
    }
}
