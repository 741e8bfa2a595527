package io.tollgate.notification.webhooks;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.crypto.SealedBox;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;

/**
 * Endpoints' {@code whsec_} signing secrets are stored sealed (AES-256-GCM under
 * {@code tollgate.notification.data-key}, bound to the endpoint's id), because every delivery must
 * read them again: a copy of the database signs nothing. A stored value is {@code v1:<sealed>}; a
 * plain {@code whsec_} value (written before sealing existed, or by hand) still works and is sealed
 * at the next sweep (at start and every ten minutes).
 */
@ApplicationScoped
public class WebhookSecrets {

    private static final Logger LOG = Logger.getLogger(WebhookSecrets.class);
    private static final String SEALED = "v1:";
    static final String DEVELOPMENT_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQtd2ViaG9vay1zZWNyZXQ=";
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private final SealedBox box;
    private final Pool pool;

    public WebhookSecrets(Pool pool, @ConfigProperty(name = "tollgate.notification.data-key") String key) {
        DeploymentSecrets.require("tollgate.notification.data-key", key, DEVELOPMENT_KEY);
        this.box = new SealedBox(key, "tollgate.notification.data-key");
        this.pool = pool;
    }

    /** The value to store for {@code secret} of endpoint {@code endpointId}. */
    public String seal(String secret, UUID endpointId) {
        return SEALED + box.seal(secret, endpointId.toString());
    }

    /** The secret a stored value holds (null stays null). */
    public String open(String stored, UUID endpointId) {
        if (stored == null || !stored.startsWith(SEALED)) {
            return stored;
        }
        return box.open(stored.substring(SEALED.length()), endpointId.toString());
    }

    void start(@Observes StartupEvent event) {
        sealPlain();
    }

    @Scheduled(every = "10m", delayed = "10m", identity = "notification-webhook-secret-sweep")
    void sweep() {
        sealPlain();
    }

    /** Seals every secret still stored in plain text; returns how many rows changed. */
    int sealPlain() {
        int changed = 0;
        for (Row row : pool.preparedQuery("select id, secret, previous_secret from webhook_endpoints"
                + " where secret not like 'v1:%' or (previous_secret is not null and previous_secret not like 'v1:%')")
                .execute().await().atMost(AWAIT)) {
            UUID id = row.getUUID("id");
            String secret = row.getString("secret");
            String previous = row.getString("previous_secret");
            changed += pool.preparedQuery("update webhook_endpoints set secret = $2, previous_secret = $3 where id = $1"
                            + " and secret = $4 and previous_secret is not distinct from $5")
                    .execute(Tuple.of(id, sealedOrSame(secret, id), sealedOrSame(previous, id), secret, previous))
                    .await().atMost(AWAIT).rowCount();
        }
        if (changed > 0) {
            LOG.infof("sealed the signing secrets of %d webhook endpoint(s)", changed);
        }
        return changed;
    }

    private String sealedOrSame(String value, UUID id) {
        return value == null || value.startsWith(SEALED) ? value : seal(value, id);
    }
}
