package io.tollgate.render.providers;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The providers: those the deployment declares (brought in line on every start), those an
 * administrator adds, and the one {@code local} provider. A remote one's key is sealed on the way
 * in and opened only to call the provider.
 */
@ApplicationScoped
public class ProviderService {

    private static final Logger LOG = Logger.getLogger(ProviderService.class);
    private static final Pattern NAME = Pattern.compile("^[a-z0-9-]{1,64}$");
    /** A request id nobody has: asking for its status proves the provider is there and takes the key, and changes nothing. */
    private static final String PROBE = "/tollgate/probe/requests/00000000-0000-0000-0000-000000000000/status";

    /** Where to reach a remote provider, with its key opened, and whether it signs completion callbacks. */
    public record Endpoint(String name, String baseUrl, String apiKey, String callbackJwksUrl) {
        public Endpoint(String name, String baseUrl, String apiKey) {
            this(name, baseUrl, apiKey, null);
        }

        public boolean callsBack() {
            return callbackJwksUrl != null;
        }

        @Override
        public String toString() {
            return "Endpoint[" + name + " at " + baseUrl + "]";
        }
    }

    /** What an administrator sends to add a provider. */
    public record NewProvider(String name, String type, String displayName, String baseUrl, String apiKey, Boolean enabled,
                         Integer priority, String callbackJwksUrl, String catalogUrl) {
    }

    /** What an administrator sends to change one; absent fields stay. */
    public record ProviderChange(String displayName, String baseUrl, String apiKey, Boolean enabled, Integer priority,
                                 String callbackJwksUrl, String catalogUrl) {
    }

    /** A connection test's answer. */
    public record ProviderTest(boolean ok, long latencyMs, String error) {
    }

    private final ProviderRepository providers;
    private final ProviderKeys keys;
    private final ProviderSettings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public ProviderService(ProviderRepository providers, ProviderKeys keys, ProviderSettings settings) {
        this.providers = providers;
        this.keys = keys;
        this.settings = settings;
    }

    void declare(@Observes StartupEvent event) {
        for (Map.Entry<String, ProviderSettings.Declared> entry : settings.declared().entrySet()) {
            String name = entry.getKey();
            ProviderSettings.Declared d = entry.getValue();
            NewProvider wanted = new NewProvider(name, d.type(), d.displayName().orElse(name), d.url(), d.apiKey().orElse(null), d.enabled(),
                    d.priority(), d.callbackJwksUrl().orElse(null),
                    d.catalogUrl().map(ProviderService::stripSlash).orElse(null));
            check(wanted);
            providers.declare(new Provider(UUID.randomUUID(), name, d.type(), wanted.displayName(), stripSlash(d.url()),
                    keys.seal(name, wanted.apiKey()), d.enabled(), d.priority(), wanted.callbackJwksUrl(), wanted.catalogUrl(), null,
                    null)).await().atMost(Duration.ofSeconds(30));
            LOG.infof("provider %s (%s) at %s declared by the configuration", name, d.type(), d.url());
        }
    }

    public Uni<List<Provider>> all() {
        return providers.all();
    }

    public Uni<Provider> get(UUID id) {
        return providers.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("provider")));
    }

    public Uni<Provider> create(NewProvider body) {
        check(body);
        if (Provider.LOCAL.equals(body.type())) {
            throw ProblemException.validation("type", "there is one local provider; add a remote one (fal)");
        }
        Provider p = new Provider(UUID.randomUUID(), body.name(), body.type(), body.displayName() == null ? body.name() : body.displayName(),
                stripSlash(body.baseUrl()), keys.seal(body.name(), body.apiKey()), body.enabled() == null || body.enabled(),
                body.priority() == null ? 100 : body.priority(), body.callbackJwksUrl(), stripSlash(body.catalogUrl()), null,
                null);
        return providers.insert(p).map(inserted -> inserted.orElseThrow(() -> ProblemException.conflict("PROVIDER_NAME_TAKEN",
                "A provider named " + body.name() + " exists.")));
    }

    public Uni<Provider> change(UUID id, ProviderChange body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_BODY", "The body must be a JSON object.");
        }
        // the body is checked before the provider is looked up: a bad body is 400 whichever id it names
        checkFields(new NewProvider(null, Provider.FAL, body.displayName(), body.baseUrl() == null ? "http://unchanged" : body.baseUrl(),
                body.apiKey(), body.enabled(), body.priority(), body.callbackJwksUrl(), body.catalogUrl()), false);
        return get(id).chain(p -> {
            if (Provider.LOCAL.equals(p.type()) && (body.baseUrl() != null || body.apiKey() != null || body.callbackJwksUrl() != null
                    || body.catalogUrl() != null)) {
                throw ProblemException.validation(body.baseUrl() != null ? "base_url" : body.apiKey() != null ? "api_key"
                        : body.callbackJwksUrl() != null ? "callback_jwks_url" : "catalog_url",
                        "the local provider has no address, key, callbacks or catalogue");
            }
            NewProvider merged = new NewProvider(p.name(), p.type(), body.displayName() == null ? p.displayName() : body.displayName(),
                    body.baseUrl() == null ? p.baseUrl() : body.baseUrl(), body.apiKey(), body.enabled(), body.priority(),
                    body.callbackJwksUrl(), body.catalogUrl());
            checkFields(merged, false);
            return providers.update(new Provider(p.id(), p.name(), p.type(), merged.displayName(), stripSlash(merged.baseUrl()),
                            body.apiKey() == null ? p.apiKeySealed() : keys.seal(p.name(), body.apiKey()),
                            body.enabled() == null ? p.enabled() : body.enabled(), body.priority() == null ? p.priority() : body.priority(),
                            callbackJwks(p, body), catalog(p, body), null, null))
                    .map(updated -> updated.orElseThrow(() -> ProblemException.notFound("provider")));
        });
    }

    /** Deletes a provider no model names (409 {@code PROVIDER_IN_USE} otherwise). */
    public Uni<Void> delete(UUID id) {
        return get(id).chain(p -> providers.deleteUnused(id).chain(deleted -> deleted ? Uni.createFrom().voidItem()
                : providers.models(p.name()).map(count -> {
                    throw ProblemException.conflict("PROVIDER_IN_USE", count + " model(s) name provider " + p.name()
                            + "; move or delete them first.").with("models", count);
                })));
    }

    /** Reaches the provider with its key and measures the round trip; nothing is submitted. */
    public Uni<ProviderTest> test(UUID id) {
        return get(id).map(p -> {
            if (Provider.LOCAL.equals(p.type())) {
                return new ProviderTest(true, 0, null);
            }
            Endpoint endpoint = endpoint(p);
            long started = System.nanoTime();
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + PROBE)).timeout(Duration.ofSeconds(5))
                        .header("Authorization", "Key " + endpoint.apiKey()).GET().build();
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                long latency = (System.nanoTime() - started) / 1_000_000;
                if (status == 401 || status == 403) {
                    return new ProviderTest(false, latency, "the provider refused the key (HTTP " + status + ")");
                }
                if (status >= 500) {
                    return new ProviderTest(false, latency, "the provider answered HTTP " + status);
                }
                return new ProviderTest(true, latency, null);
            } catch (IOException e) {
                return new ProviderTest(false, (System.nanoTime() - started) / 1_000_000, "unreachable: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ProviderTest(false, (System.nanoTime() - started) / 1_000_000, "interrupted");
            }
        }).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool());
    }

    /** The enabled remote provider of that name, with its key, for a worker about to call it. */
    public Uni<Optional<Endpoint>> remote(String name) {
        return providers.named(name).map(found -> found.filter(p -> p.enabled() && !Provider.LOCAL.equals(p.type())).map(this::endpoint));
    }

    private Endpoint endpoint(Provider p) {
        return new Endpoint(p.name(), p.baseUrl(), keys.open(p.name(), p.apiKeySealed()), p.callbackJwksUrl());
    }

    /** A change's catalogue address: absent keeps it, an empty string removes it. */
    private static String catalog(Provider p, ProviderChange body) {
        if (body.catalogUrl() == null) {
            return p.catalogUrl();
        }
        return body.catalogUrl().isEmpty() ? null : stripSlash(body.catalogUrl());
    }

    /** A change's callback keys address: absent keeps it, an empty string removes it (the provider is polled again). */
    private static String callbackJwks(Provider p, ProviderChange body) {
        if (body.callbackJwksUrl() == null) {
            return p.callbackJwksUrl();
        }
        return body.callbackJwksUrl().isEmpty() ? null : body.callbackJwksUrl();
    }

    private static void check(NewProvider body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_BODY", "The body must be a JSON object.");
        }
        if (body.name() == null || !NAME.matcher(body.name()).matches()) {
            throw ProblemException.validation("name", "must be 1 to 64 of a-z, 0-9 and -");
        }
        if (body.type() == null || !List.of(Provider.LOCAL, Provider.FAL).contains(body.type())) {
            throw ProblemException.validation("type", "must be fal");
        }
        checkFields(body, true);
    }

    private static void checkFields(NewProvider body, boolean creating) {
        if (body.displayName() != null && (body.displayName().isBlank() || body.displayName().length() > 100)) {
            throw ProblemException.validation("display_name", "must be 1 to 100 characters");
        }
        if (body.priority() != null && (body.priority() < 0 || body.priority() > 9999)) {
            throw ProblemException.validation("priority", "must be 0 to 9999");
        }
        if (Provider.LOCAL.equals(body.type())) {
            return;
        }
        if (body.baseUrl() == null || !httpUrl(body.baseUrl())) {
            throw ProblemException.validation("base_url", "must be an http or https URL of at most 500 characters");
        }
        if (body.callbackJwksUrl() != null && !body.callbackJwksUrl().isEmpty() && !httpUrl(body.callbackJwksUrl())) {
            throw ProblemException.validation("callback_jwks_url", "must be an http or https URL of at most 500 characters,"
                    + " or empty to stop waiting for callbacks");
        }
        if (body.catalogUrl() != null && !body.catalogUrl().isEmpty() && !httpUrl(body.catalogUrl())) {
            throw ProblemException.validation("catalog_url", "must be an http or https URL of at most 500 characters, or empty");
        }
        if (creating && (body.apiKey() == null || body.apiKey().isBlank())) {
            throw ProblemException.validation("api_key", "is required for a remote provider");
        }
        if (body.apiKey() != null && (body.apiKey().isBlank() || body.apiKey().length() > 500 || !body.apiKey().chars()
                .allMatch(c -> c > 32 && c < 127))) {
            throw ProblemException.validation("api_key", "must be 1 to 500 printable characters without spaces");
        }
    }

    private static boolean httpUrl(String value) {
        if (value.length() > 500) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
        } catch (Exception e) {
            return false;
        }
    }

    private static String stripSlash(String url) {
        return url == null ? null : url.replaceAll("/+$", "");
    }
}
