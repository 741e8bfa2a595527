package io.tollgate.kit.testing;

import io.restassured.specification.RequestSpecification;
import io.tollgate.contracts.OpenApiCompatibility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;

/**
 * Checks a running service's generated OpenAPI against its published copy in
 * {@code contracts/openapi/<service>.yaml}. A breaking change fails; publishing a new version is
 * a deliberate act: {@code ./tollgate contracts} (which sets {@code tollgate.contracts.update}).
 */
public final class OpenApiContract {

    private OpenApiContract() {
    }

    public static Path published(String service) {
        return LocalServers.root().resolve("contracts/openapi/" + service + ".yaml");
    }

    /** {@code document} requests the generated document (a management or a public address). */
    public static void assertCompatible(String service, RequestSpecification document) {
        String generated = document.accept("application/yaml").get().then().statusCode(200).extract().asString();
        Path published = published(service);
        try {
            if (Boolean.getBoolean("tollgate.contracts.update")) {
                Files.writeString(published, generated, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(published)) {
                throw new AssertionError("no published OpenAPI for " + service + " at " + published
                        + "; publish it with ./tollgate contracts");
            }
            var result = OpenApiCompatibility.compare(Files.readString(published, StandardCharsets.UTF_8), generated);
            if (!result.compatible()) {
                throw new AssertionError("the OpenAPI of " + service + " breaks its published contract:\n"
                        + result.report());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
