package io.tollgate.kit.config;

import io.quarkus.runtime.configuration.ConfigUtils;

import java.util.List;
import java.util.Set;

/**
 * Secrets a deployment must bring itself. The local and test profiles carry development values
 * so that {@code ./tollgate up} and the tests run on a fresh clone; any other profile (production
 * is the default) has no default at all, and a start that was given a development value anyway
 * (a copied local configuration) is refused here with the key to set.
 */
public final class DeploymentSecrets {

    /** Profiles in which development secrets are allowed. */
    public static final Set<String> DEVELOPMENT_PROFILES = Set.of("local", "test", "dev");
    /** Every development secret in the repository starts with this, or is listed by its owner. */
    public static final String DEVELOPMENT_PREFIX = "local-development-";

    private DeploymentSecrets() {
    }

    public static boolean developmentProfile() {
        List<String> profiles = ConfigUtils.getProfiles();
        return profiles.stream().anyMatch(DEVELOPMENT_PROFILES::contains);
    }

    /**
     * Refuses {@code value} of {@code key} outside the development profiles when it is blank, starts
     * with {@link #DEVELOPMENT_PREFIX} or equals one of {@code knownDevelopmentValues}.
     */
    public static void require(String key, String value, String... knownDevelopmentValues) {
        if (developmentProfile()) {
            return;
        }
        boolean development = value == null || value.isBlank() || value.startsWith(DEVELOPMENT_PREFIX)
                || List.of(knownDevelopmentValues).contains(value);
        if (development) {
            throw new IllegalStateException(key + " holds a development value or none: set it for this deployment"
                    + " (environment " + key.toUpperCase().replace('.', '_').replace('-', '_') + ")");
        }
    }
}
