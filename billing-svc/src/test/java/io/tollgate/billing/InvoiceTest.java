package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Year;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(Sandbox.class)
class InvoiceTest {

    @BeforeEach
    void pointTheProviderAtUs() {
        Sandbox.running.webhookUrl("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/stripe");
    }

    @Test
    void a_paid_top_up_has_a_numbered_invoice_and_a_real_pdf() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID userId = UUID.randomUUID();
        String token = TestTokens.user(userId, tenant).sign();
        String invoiceId;
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            pay(token, 4_250);
            var event = probe.first(r -> InvoiceIssued.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(userId.toString()), Duration.ofSeconds(20));
            EventSchemas.assertValid(InvoiceIssued.TYPE, event.value());
        }
        String number = "INV-" + Year.now().getValue() + "-000001";
        invoiceId = given().auth().oauth2(token).get("/v1/billing/invoices").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].number", equalTo(number)).body("data[0].status", equalTo("paid"))
                .body("data[0].total_minor", equalTo(4250)).extract().path("data[0].id");
        given().auth().oauth2(token).get("/v1/billing/invoices/" + invoiceId).then().statusCode(200)
                .body("items[0].description", equalTo("Account top-up")).body("items[0].total_minor", equalTo(4250));
        given().auth().oauth2(token).get("/v1/billing/payments").then().body("data[0].invoice_id", equalTo(invoiceId));

        Response pdf = given().auth().oauth2(token).get("/v1/billing/invoices/" + invoiceId + "/pdf");
        pdf.then().statusCode(200).contentType("application/pdf");
        try (PDDocument document = Loader.loadPDF(pdf.asByteArray())) {
            String text = new PDFTextStripper().getText(document);
            assertTrue(text.contains("Invoice " + number), text);
            assertTrue(text.contains("Total: 42.50 USD"), text);
        }
        String stranger = TestTokens.user(UUID.randomUUID(), tenant).sign();
        given().auth().oauth2(stranger).get("/v1/billing/invoices/" + invoiceId).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(stranger).get("/v1/billing/invoices/" + invoiceId + "/pdf").then().statusCode(404);
        given().auth().oauth2(token).get("/v1/billing/invoices?status=lost").then().statusCode(400);
    }

    @Test
    void concurrent_payments_in_one_tenant_get_consecutive_numbers() throws Exception {
        UUID tenant = UUID.randomUUID();
        List<String> intents = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String token = TestTokens.user(UUID.randomUUID(), tenant).sign();
            tokens.add(token);
            intents.add(given().auth().oauth2(token).contentType("application/json")
                    .body("{\"amount_minor\": 1000, \"provider\": \"stripe\"}").post("/v1/billing/top-ups")
                    .then().statusCode(201).extract().path("provider_payment_id"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Callable<Integer>> payments = new ArrayList<>();
            intents.forEach(id -> payments.add(() -> Sandbox.running.complete(id, true)));
            for (Future<Integer> f : pool.invokeAll(payments)) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdown();
        }
        Set<String> numbers = new TreeSet<>();
        for (String token : tokens) {
            numbers.add(given().auth().oauth2(token).get("/v1/billing/invoices").then().statusCode(200)
                    .extract().path("data[0].number"));
        }
        Set<String> expected = new TreeSet<>();
        for (int i = 1; i <= 10; i++) {
            expected.add(String.format("INV-%d-%06d", Year.now().getValue(), i));
        }
        assertEquals(expected, numbers);
    }

    private static void pay(String token, long amount) throws Exception {
        String intent = given().auth().oauth2(token).contentType("application/json")
                .body("{\"amount_minor\": " + amount + ", \"provider\": \"stripe\"}").post("/v1/billing/top-ups")
                .then().statusCode(201).extract().path("provider_payment_id");
        assertEquals(200, Sandbox.running.complete(intent, true));
    }
}
