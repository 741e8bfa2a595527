package io.tollgate.contracts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tollgate.contracts.identity.UserRegistered;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventSchemasTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void type_maps_to_its_schema_file() {
        assertEquals("events/billing/payment.succeeded.v1.json",
                EventSchemas.schemaPath("tollgate.billing.payment.succeeded.v1"));
        assertThrows(IllegalArgumentException.class, () -> EventSchemas.schemaPath("billing.payment"));
    }

    @Test
    void an_event_record_serialises_to_what_its_schema_accepts() throws Exception {
        UserRegistered event = new UserRegistered(UUID.randomUUID(), UUID.randomUUID(), "ann@example.com",
                "Ann Example", "USD", null, Instant.parse("2026-11-22T10:00:00Z"));
        EventType type = EventSchemas.typeOf(UserRegistered.class);
        assertEquals(UserRegistered.TYPE, type.value());
        assertTrue(EventSchemas.exists(type.value()));
        EventSchemas.assertValid(type.value(), json.writeValueAsBytes(event));
    }

    @Test
    void a_payload_that_breaks_the_schema_is_reported_field_by_field() {
        byte[] bad = """
                {"user_id": "not-a-uuid", "tenant_id": "2b1c6d7e-0000-4000-8000-000000000001",
                 "email": "ann@example.com", "full_name": "Ann", "currency": "usd",
                 "registered_at": "2026-11-22T10:00:00Z", "extra": 1}
                """.getBytes(StandardCharsets.UTF_8);
        var violations = EventSchemas.violations(UserRegistered.TYPE, bad);
        assertFalse(violations.isEmpty());
        assertTrue(violations.stream().anyMatch(v -> v.contains("currency")), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("extra")), violations.toString());
        assertThrows(AssertionError.class, () -> EventSchemas.assertValid(UserRegistered.TYPE, bad));
    }
}
