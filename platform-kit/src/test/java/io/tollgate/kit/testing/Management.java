package io.tollgate.kit.testing;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import java.net.URI;

/** Requests to the management interface of the service under test ({@code /q/health}, {@code /q/metrics}, {@code /q/openapi}). */
public final class Management {

    private Management() {
    }

    /** Scheme, host and port of the management interface, without its root path. */
    public static String url() {
        URI uri = URI.create(TestHTTPResourceManager.getManagementUri());
        return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    }

    public static RequestSpecification given() {
        URI uri = URI.create(url());
        // callers name whole paths (/q/health), the management root included
        return RestAssured.given().baseUri(uri.getScheme() + "://" + uri.getHost()).port(uri.getPort()).basePath("");
    }
}
