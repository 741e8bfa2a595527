package io.tollgate.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and applies the JSON Schema of an event type. Producers' tests call
 * {@link #assertValid(String, byte[])} on every event they see on Kafka.
 */
public final class EventSchemas {

    private static final Pattern TYPE = Pattern.compile("^tollgate\\.([a-z][a-z0-9_]*)\\.([a-z0-9_.]+)\\.(v[0-9]+)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** {@code tollgate.billing.payment.succeeded.v1} -> {@code events/billing/payment.succeeded.v1.json}. */
    public static String schemaPath(String ceType) {
        Matcher m = TYPE.matcher(ceType);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Tollgate event type: " + ceType);
        }
        return "events/" + m.group(1) + "/" + m.group(2) + "." + m.group(3) + ".json";
    }

    /** The type declared on a payload record by {@link EventType}. */
    public static EventType typeOf(Class<?> payloadClass) {
        EventType type = payloadClass.getAnnotation(EventType.class);
        if (type == null) {
            throw new IllegalArgumentException(payloadClass.getName() + " has no @EventType");
        }
        return type;
    }

    /** The violations of {@code data} against the schema of {@code ceType}; empty when valid. */
    public static List<String> violations(String ceType, JsonNode data) {
        Set<ValidationMessage> messages = schema(ceType).validate(data);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    public static List<String> violations(String ceType, byte[] data) {
        try {
            return violations(ceType, JSON.readTree(data));
        } catch (IOException e) {
            return List.of("body is not JSON: " + e.getMessage());
        }
    }

    /** Throws {@link AssertionError} naming every violation. */
    public static void assertValid(String ceType, byte[] data) {
        List<String> violations = violations(ceType, data);
        if (!violations.isEmpty()) {
            throw new AssertionError("event " + ceType + " breaks its schema: " + violations);
        }
    }

    public static boolean exists(String ceType) {
        return EventSchemas.class.getClassLoader().getResource(schemaPath(ceType)) != null;
    }

    private static JsonSchema schema(String ceType) {
        return CACHE.computeIfAbsent(ceType, type -> {
            String path = schemaPath(type);
            ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : EventSchemas.class.getClassLoader();
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("no schema for " + type + " at " + path);
                }
                return FACTORY.getSchema(JSON.readTree(in));
            } catch (IOException e) {
                throw new IllegalStateException("unreadable schema " + path, e);
            }
        });
    }
}
