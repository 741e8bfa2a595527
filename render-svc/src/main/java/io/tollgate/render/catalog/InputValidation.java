package io.tollgate.render.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model's input, checked against the model's own JSON Schema (draft 2020-12) and completed with
 * the schema's defaults, so the renderer, the estimate and the charge all see the same values. A
 * failure is 422 {@code INVALID_INPUT} with one entry per field, by its JSON path.
 */
@ApplicationScoped
public class InputValidation {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final ObjectMapper json;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    public InputValidation(ObjectMapper json) {
        this.json = json;
    }

    /** The validated input with defaults filled in. */
    public ObjectNode check(Model model, JsonNode input) {
        if (input == null || !input.isObject()) {
            throw ProblemException.validation("input", "must be a JSON object");
        }
        String nul = nul(input, "");
        if (nul != null) {
            // PostgreSQL cannot store it, and no renderer needs it
            throw ProblemException.validation(nul.isEmpty() ? "input" : nul, "may not contain NUL (U+0000)");
        }
        JsonNode schemaNode = json.valueToTree(model.inputSchema().getMap());
        JsonSchema schema = schemas.computeIfAbsent(model.modelId() + "@" + schemaNode.hashCode(), k -> FACTORY.getSchema(schemaNode));
        List<Problem.FieldError> errors = schema.validate(input).stream()
                .sorted(Comparator.comparing(ValidationMessage::getMessage))
                .map(m -> new Problem.FieldError(field(m), m.getError() != null ? m.getError() : m.getMessage(), m.getType().toUpperCase()))
                .toList();
        if (!errors.isEmpty()) {
            throw new ProblemException(422, "INVALID_INPUT", "Invalid input",
                    "The input does not match the schema of " + model.modelId() + ".", errors, Map.of(), Map.of());
        }
        ObjectNode complete = ((ObjectNode) input).deepCopy();
        schemaNode.path("properties").fields().forEachRemaining(p -> {
            if (!complete.has(p.getKey()) && p.getValue().has("default")) {
                complete.set(p.getKey(), p.getValue().get("default"));
            }
        });
        return complete;
    }

    /** The path of the first text (value or name) holding NUL, or null. */
    private static String nul(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.asText().indexOf('\u0000') >= 0 ? path : null;
        }
        if (node.isObject()) {
            for (var it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getKey().indexOf('\u0000') >= 0) {
                    return path.isEmpty() ? "input" : path;
                }
                String found = nul(e.getValue(), child);
                if (found != null) {
                    return found;
                }
            }
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nul(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String field(ValidationMessage m) {
        String path = m.getInstanceLocation() == null ? "$" : m.getInstanceLocation().toString();
        String property = m.getProperty();
        if ("required".equals(m.getType()) && property != null) {
            path = path.equals("$") ? "$." + property : path + "." + property;
        }
        String trimmed = path.replaceFirst("^\\$\\.?", "");
        return trimmed.isEmpty() ? "input" : trimmed;
    }
}
