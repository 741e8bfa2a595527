package io.tollgate.identity.apikeys;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The scope catalogue an API key can be granted (architecture.md, "Decisions"). */
public final class Scopes {

    public static final Map<String, String> CATALOGUE;

    static {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("account:read", "Read the account profile");
        all.put("proxy:read", "List ports, devices, availability and traffic");
        all.put("proxy:write", "Create, change, rotate and delete ports");
        all.put("render:create", "Submit render jobs and uploads");
        all.put("render:read", "Read job status, results and the model catalogue");
        all.put("render:cancel", "Cancel render jobs");
        all.put("billing:read", "Read balance, transactions, invoices and usage");
        all.put("billing:write", "Make purchases from the balance");
        all.put("webhooks:read", "List webhook endpoints and deliveries");
        all.put("webhooks:write", "Create, change and test webhook endpoints");
        CATALOGUE = java.util.Collections.unmodifiableMap(all);
    }

    public static final List<String> ALL = List.copyOf(CATALOGUE.keySet());

    private Scopes() {
    }
}
