package io.tollgate.contracts;

import org.openapitools.openapidiff.core.OpenApiCompare;
import org.openapitools.openapidiff.core.model.ChangedOpenApi;
import org.openapitools.openapidiff.core.output.MarkdownRender;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/**
 * Compares a service's published OpenAPI (in {@code contracts/openapi/}) with the one it
 * generates now, using openapi-diff. Each service runs this in a test, so a breaking change to
 * the public contract fails the build until the published copy is deliberately updated.
 */
public final class OpenApiCompatibility {

    public record Result(boolean compatible, boolean changed, String report) {
    }

    private OpenApiCompatibility() {
    }

    public static Result compare(String publishedSpec, String generatedSpec) {
        ChangedOpenApi diff = OpenApiCompare.fromContents(publishedSpec, generatedSpec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStreamWriter writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            new MarkdownRender().render(diff, writer);
        } catch (Exception e) {
            throw new IllegalStateException("cannot render the OpenAPI diff", e);
        }
        return new Result(!diff.isIncompatible(), !diff.isUnchanged(), out.toString(StandardCharsets.UTF_8));
    }
}
