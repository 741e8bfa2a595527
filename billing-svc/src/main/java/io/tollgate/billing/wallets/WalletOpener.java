package io.tollgate.billing.wallets;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.identity.UserRegistered;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/** Opens a user's wallet in their currency when identity announces the registration. */
@ApplicationScoped
public class WalletOpener implements EventHandler {

    private final Ledger ledger;
    private final ObjectMapper json;

    public WalletOpener(Ledger ledger, ObjectMapper json) {
        this.ledger = ledger;
        this.json = json;
    }

    @Override
    public String consumer() {
        return "billing.wallets";
    }

    @Override
    public Set<String> topics() {
        return Set.of("identity.events");
    }

    @Override
    public boolean accepts(String type) {
        return UserRegistered.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        UserRegistered registered = event.data(json, UserRegistered.class);
        // in the inbox's transaction: the wallet, its event and the inbox record commit together
        return ledger.open(tx, registered.userId(), registered.tenantId(), ledger.currencyOr(registered.currency()))
                .replaceWithVoid();
    }
}
