package io.tollgate.kit.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** A service that is given a client secret for identity refuses to start on a development one. */
@ApplicationScoped
public class ServiceSecretCheck {

    private final Optional<String> secret;

    public ServiceSecretCheck(@ConfigProperty(name = "tollgate.service.client-secret") Optional<String> secret) {
        this.secret = secret;
    }

    void check(@Observes StartupEvent event) {
        secret.ifPresent(value -> DeploymentSecrets.require("tollgate.service.client-secret", value));
    }
}
