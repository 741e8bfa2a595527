package io.tollgate.identity.internal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

import java.util.Map;

/**
 * Each service client's own secret: {@code tollgate.identity.client-secrets.<client>} (environment
 * {@code TOLLGATE_IDENTITY_CLIENT_SECRETS_BILLING} and so on). Only clients listed in
 * {@code tollgate.identity.service-clients} and given a secret get service tokens.
 */
@ConfigMapping(prefix = "tollgate.identity.client-secrets")
public interface ServiceClients {

    @WithParentName
    Map<String, String> secrets();
}
