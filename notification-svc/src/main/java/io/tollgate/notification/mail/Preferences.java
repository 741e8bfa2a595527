package io.tollgate.notification.mail;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A user's mail preferences: one switch per optional category and one for all of them. A user who
 * never chose has no row and gets each category's default.
 */
@ApplicationScoped
public class Preferences {

    /** The API's view. */
    public record View(Map<String, Boolean> subscriptions, List<String> transactional, boolean unsubscribedFromAll) {
    }

    private static final List<MailCategory> OPTIONAL = MailCategory.optional();
    private static final String COLUMNS = OPTIONAL.stream().map(MailCategory::key).collect(Collectors.joining(", "));

    private final Pool pool;

    public Preferences(Pool pool) {
        this.pool = pool;
    }

    /** The tenant of a user we have an address for; null for a user we have not heard of. */
    public Uni<UUID> tenantOf(UUID user) {
        return pool.preparedQuery("select tenant_id from mail_recipients where user_id = $1").execute(Tuple.of(user))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("tenant_id"));
    }

    public Uni<View> get(UUID user) {
        return pool.preparedQuery("select unsubscribed_all, " + COLUMNS + " from email_preferences where user_id = $1")
                .execute(Tuple.of(user)).map(rows -> view(rows.size() == 0 ? null : rows.iterator().next()));
    }

    /**
     * Applies {@code changes} (category key to on/off) and, when not null, the all-off switch, in
     * one upsert. Unknown and transactional categories are refused before anything changes.
     */
    public Uni<View> update(UUID user, UUID tenant, Map<String, ?> changes, Boolean unsubscribedAll) {
        Map<MailCategory, Boolean> parsed = parse(changes);
        List<Object> values = new ArrayList<>(List.of(user, tenant));
        StringBuilder insert = new StringBuilder("insert into email_preferences (user_id, tenant_id, unsubscribed_all");
        StringBuilder params = new StringBuilder(" values ($1, $2, coalesce($3, false)");
        StringBuilder update = new StringBuilder(" on conflict (user_id) do update set unsubscribed_all = coalesce($3, email_preferences.unsubscribed_all)");
        values.add(unsubscribedAll);
        for (MailCategory c : OPTIONAL) {
            values.add(parsed.get(c));
            int n = values.size();
            insert.append(", ").append(c.key());
            params.append(", coalesce($").append(n).append("::boolean, ").append(c.onByDefault()).append(")");
            update.append(", ").append(c.key()).append(" = coalesce($").append(n).append("::boolean, email_preferences.").append(c.key()).append(")");
        }
        String sql = insert + ")" + params + ")" + update + ", updated_at = now() returning unsubscribed_all, " + COLUMNS;
        return pool.preparedQuery(sql.replace("coalesce($3,", "coalesce($3::boolean,"))
                .execute(Tuple.from(values.toArray())).map(rows -> view(rows.iterator().next()));
    }

    static Map<MailCategory, Boolean> parse(Map<String, ?> changes) {
        Map<MailCategory, Boolean> parsed = new LinkedHashMap<>();
        if (changes == null) {
            return parsed;
        }
        for (Map.Entry<String, ?> e : changes.entrySet()) {
            MailCategory category = MailCategory.byKey(e.getKey())
                    .orElseThrow(() -> ProblemException.validation(e.getKey(), "is not a mail category; use one of " + COLUMNS));
            if (category.transactional()) {
                throw ProblemException.validation(e.getKey(), "is transactional mail, which cannot be switched off");
            }
            if (!(e.getValue() instanceof Boolean on)) {
                throw ProblemException.validation(e.getKey(), "must be true or false");
            }
            parsed.put(category, on);
        }
        return parsed;
    }

    private static View view(Row row) {
        Map<String, Boolean> subscriptions = new LinkedHashMap<>();
        for (MailCategory c : OPTIONAL) {
            subscriptions.put(c.key(), row == null ? c.onByDefault() : row.getBoolean(c.key()));
        }
        List<String> transactional = new ArrayList<>();
        for (MailCategory c : MailCategory.values()) {
            if (c.transactional()) {
                transactional.add(c.key());
            }
        }
        return new View(subscriptions, transactional, row != null && row.getBoolean("unsubscribed_all"));
    }
}
