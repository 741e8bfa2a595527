package io.tollgate.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every event record has a schema, and record and schema name the same fields. */
class EveryEventHasItsSchemaTest {

    private static List<Class<?>> eventRecords() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(EventType.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name);
                if (type.isAnnotationPresent(EventType.class)) {
                    found.add(type);
                }
            }
        }
        return found;
    }

    @Test
    void records_and_schemas_agree_field_for_field() throws Exception {
        List<Class<?>> records = eventRecords();
        assertFalse(records.isEmpty());
        ObjectMapper json = new ObjectMapper();
        for (Class<?> record : records) {
            EventType type = EventSchemas.typeOf(record);
            assertTrue(type.value().startsWith("tollgate."), type.value());
            assertTrue(type.topic().endsWith(".events") || type.topic().equals("render.jobs"), type.topic());
            JsonNode schema;
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(EventSchemas.schemaPath(type.value()))) {
                assertNotNull(in, "no schema for " + type.value());
                schema = json.readTree(in);
            }
            assertEquals(type.value(), schema.get("title").asText());
            Set<String> schemaFields = new TreeSet<>();
            schema.get("properties").fieldNames().forEachRemaining(schemaFields::add);
            Set<String> recordFields = new TreeSet<>();
            for (RecordComponent component : record.getRecordComponents()) {
                JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
                recordFields.add(property != null ? property.value() : component.getName());
            }
            assertEquals(schemaFields, recordFields, record.getSimpleName() + " and its schema differ");
            schema.get("required").forEach(r -> assertTrue(recordFields.contains(r.asText()), r.asText()));
        }
    }
}
