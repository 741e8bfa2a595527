package io.tollgate.billing.payments;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Cards saved at checkout: list, choose the default, delete (the next newest becomes the default). */
@ApplicationScoped
public class PaymentMethods {

    public record Method(UUID id, String provider, String brand, String last4, int expMonth, int expYear, boolean isDefault,
                         Instant createdAt) {
        static Method of(Row r) {
            return new Method(r.getUUID("id"), r.getString("provider"), r.getString("brand"), r.getString("last4"), r.getInteger("exp_month"),
                    r.getInteger("exp_year"), r.getBoolean("is_default"), r.getOffsetDateTime("created_at").toInstant());
        }
    }

    private final Ledger ledger;

    public PaymentMethods(Ledger ledger) {
        this.ledger = ledger;
    }

    public Uni<Page<Method>> list(Owner owner, PageRequest page) {
        String owned = " from payment_methods where user_id = $1 and tenant_id = $2";
        return ledger.pool().preparedQuery("select count(*)" + owned).execute(Tuple.of(owner.userId(), owner.tenantId()))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> ledger.pool().preparedQuery("select *" + owned + " order by is_default desc, created_at desc, id"
                                + " limit $3 offset $4")
                        .execute(Tuple.of(owner.userId(), owner.tenantId(), page.size(), page.offset())).map(rows -> {
                            List<Method> out = new ArrayList<>();
                            rows.forEach(r -> out.add(Method.of(r)));
                            return Page.of(out, page, total);
                        }));
    }

    public Uni<Method> defaultMethod(UUID userId) {
        return ledger.pool().preparedQuery("select * from payment_methods where user_id = $1 and is_default").execute(Tuple.of(userId))
                .map(rows -> rows.size() == 0 ? null : Method.of(rows.iterator().next()));
    }

    public Uni<Method> makeDefault(Owner owner, UUID id) {
        UUID userId = owner.userId();
        return ledger.pool().withTransaction(c -> c.preparedQuery("select 1 from payment_methods where id = $1 and user_id = $2"
                                + " and tenant_id = $3 for update")
                        .execute(Tuple.of(id, userId, owner.tenantId()))
                        .chain(found -> {
                            if (found.size() == 0) {
                                throw ProblemException.notFound("payment method");
                            }
                            return c.preparedQuery("update payment_methods set is_default = false where user_id = $1 and is_default and id <> $2")
                                    .execute(Tuple.of(userId, id))
                                    .chain(() -> c.preparedQuery("update payment_methods set is_default = true where id = $1 returning *")
                                            .execute(Tuple.of(id)));
                        }))
                .map(rows -> Method.of(rows.iterator().next()));
    }

    /** Deletes a card; auto top-up stops when no card is left. */
    public Uni<Void> delete(Owner owner, UUID id) {
        UUID userId = owner.userId();
        return ledger.pool().withTransaction(c -> c.preparedQuery("""
                                update payments set payment_method_id = null where payment_method_id = $1 and user_id = $2""")
                        .execute(Tuple.of(id, userId))
                        .chain(() -> c.preparedQuery("delete from payment_methods where id = $1 and user_id = $2 and tenant_id = $3"
                                        + " returning is_default")
                                .execute(Tuple.of(id, userId, owner.tenantId())))
                        .chain(rows -> {
                            if (rows.size() == 0) {
                                throw ProblemException.notFound("payment method");
                            }
                            if (!rows.iterator().next().getBoolean("is_default")) {
                                return Uni.createFrom().voidItem();
                            }
                            return c.preparedQuery("""
                                            update payment_methods set is_default = true
                                            where id = (select id from payment_methods where user_id = $1 order by created_at desc limit 1)
                                            returning id""")
                                    .execute(Tuple.of(userId))
                                    .chain(promoted -> promoted.size() > 0 ? Uni.createFrom().voidItem()
                                            : c.preparedQuery("update auto_topup set enabled = false, due = false, last_result = 'no card left' "
                                                    + "where user_id = $1").execute(Tuple.of(userId)).replaceWithVoid());
                        }));
    }
}
