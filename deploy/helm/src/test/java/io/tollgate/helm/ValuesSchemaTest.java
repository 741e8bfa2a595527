package io.tollgate.helm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** values.schema.json refuses a broken values file before anything renders. */
class ValuesSchemaTest {

    @ParameterizedTest(name = "{0} is refused at {1}")
    @CsvSource({
            "wrong-type.yaml,       /services/gateway/replicaCount",
            "missing-host.yaml,     /postgresql",
            "empty-bootstrap.yaml,  /kafka/bootstrapServers",
            "unknown-key.yaml,      servicemonitor",
            "bad-protocol.yaml,     /kafka/securityProtocol",
            "config-object.yaml,    /services/billing/config/tollgate.billing.currencies",
    })
    void a_broken_values_file_is_refused_by_the_schema(String file, String where) {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Chart.render(Chart.testValues(file)));
        String message = refused.getMessage();
        assertTrue(message.contains("values don't meet the specifications of the schema"),
                () -> "refused for another reason: " + message);
        assertTrue(message.contains(where), () -> "the refusal does not name " + where + ": " + message);
    }
}
