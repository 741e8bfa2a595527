package io.tollgate.contracts;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenApiCompatibilityTest {

    private static String base() throws IOException {
        try (InputStream in = OpenApiCompatibilityTest.class.getResourceAsStream("/openapi/base.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void identical_specs_are_compatible_and_unchanged() throws IOException {
        var result = OpenApiCompatibility.compare(base(), base());
        assertTrue(result.compatible());
        assertFalse(result.changed());
    }

    @Test
    void adding_an_optional_response_field_is_compatible() throws IOException {
        String grown = base().replace("name: {type: string}", "name: {type: string}\n                  note: {type: string}");
        var result = OpenApiCompatibility.compare(base(), grown);
        assertTrue(result.compatible(), result.report());
        assertTrue(result.changed());
    }

    @Test
    void removing_an_operation_breaks_compatibility() throws IOException {
        String shrunk = base().replace("/v1/things/{id}", "/v1/other/{id}");
        var result = OpenApiCompatibility.compare(base(), shrunk);
        assertFalse(result.compatible(), result.report());
    }

    @Test
    void removing_a_promised_response_field_breaks_compatibility() throws IOException {
        String shrunk = base().replace("required: [id, name]", "required: [id]")
                .replace("                  name: {type: string}\n", "");
        var result = OpenApiCompatibility.compare(base(), shrunk);
        assertFalse(result.compatible(), result.report());
    }
}
