package io.tollgate.render.providers;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.util.Map;
import java.util.Optional;

/**
 * Providers the deployment declares ({@code tollgate.render.providers.<name>.url}, {@code .api-key},
 * ...): on start each is created, or brought in line with its declaration, so an operator's values
 * (for example a Helm release's) win over edits made through the admin API.
 */
@ConfigMapping(prefix = "tollgate.render.providers")
public interface ProviderSettings {

    @WithParentName
    Map<String, Declared> declared();

    interface Declared {
        @WithDefault("fal")
        String type();

        String url();

        Optional<String> apiKey();

        Optional<String> displayName();

        @WithDefault("100")
        int priority();

        @WithDefault("true")
        boolean enabled();

        /** Where the provider publishes the Ed25519 keys its completion callbacks are signed with. */
        Optional<String> callbackJwksUrl();

        /** Where the provider lists its models, input schemas and prices (fal's platform API). */
        Optional<String> catalogUrl();
    }
}
