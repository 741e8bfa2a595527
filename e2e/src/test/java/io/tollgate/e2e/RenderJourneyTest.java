package io.tollgate.e2e;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A render job across the fleet, through the gateway: the public catalogue, an estimate, a submit
 * with an API key that holds the estimate at billing, the worker's result behind a signed link,
 * and billing capturing what was produced when render's event arrives. Cancelling a queued job
 * releases its hold; a running one completes and is charged once.
 */
@ExtendWith(FleetExtension.class)
class RenderJourneyTest {

    private static final String MODEL = "local/procedural-image";
    // long enough to be asked about while it runs: 2 images of 2048 x 2048 in 50 passes each
    private static final String SLOW = "{\"prompt\": \"slow\", \"width\": 2048, \"height\": 2048, \"num_images\": 2,"
            + " \"num_inference_steps\": 50}";

    record Customer(Journeys.Account account, String key, String keyId) {
    }

    /** A verified user with {@code grantMinor} granted by the administrator and a key with render scopes. */
    static Customer customer(Fleet fleet, long grantMinor) {
        var admin = Journeys.admin(fleet);
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        // opening the wallet happens on identity's user.registered event; the balance read waits for it
        awaitBalance(fleet, account, 0);
        if (grantMinor > 0) {
            Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                    .body("{\"amount_minor\": " + grantMinor + ", \"reason\": \"render journey\"}")
                    .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(201);
        }
        JsonPath created = JsonPath.from(Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                .contentType("application/json")
                .body("{\"name\": \"renders\", \"scopes\": [\"render:create\", \"render:read\", \"render:cancel\", \"billing:read\"]}")
                .post("/v1/api-keys").then().statusCode(201).extract().asString());
        return new Customer(account, created.getString("secret_key"), created.getString("id"));
    }

    private static void awaitBalance(Fleet fleet, Journeys.Account account, long available) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Response last = null;
        while (System.nanoTime() < end) {
            last = Journeys.at(fleet.gatewayUrl(), account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance");
            if (last.statusCode() == 200 && last.jsonPath().getLong("available_minor") == available
                    && last.jsonPath().getLong("reserved_minor") == 0) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("balance did not settle at " + available + ": " + (last == null ? null : last.asString()));
    }

    private static JsonPath awaitStatus(Fleet fleet, Customer customer, String id, String status) {
        return awaitStatus(fleet, customer, MODEL, id, status);
    }

    private static JsonPath awaitStatus(Fleet fleet, Customer customer, String model, String id, String status) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < end) {
            last = Journeys.at(fleet.gatewayUrl(), customer.account().ip()).header("X-API-Key", customer.key())
                    .get("/v1/queue/" + model + "/requests/" + id + "/status?logs=1").then().statusCode(200).extract().jsonPath();
            if (status.equals(last.getString("status"))) {
                return last;
            }
            sleep(250);
        }
        throw new AssertionError("request " + id + " did not reach " + status + ": " + (last == null ? null : last.prettify()));
    }

    private static Response submit(Fleet fleet, Customer customer, String body, String idempotencyKey) {
        var request = Journeys.at(fleet.gatewayUrl(), customer.account().ip()).header("X-API-Key", customer.key())
                .contentType("application/json").body(body);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post("/v1/queue/" + MODEL);
    }

    /** The path and query of a link the fleet handed out, called on the gateway this run started. */
    private static String onGateway(Fleet fleet, String url) {
        URI uri = URI.create(url);
        assertEquals(URI.create(fleet.gatewayUrl()).getPort(), uri.getPort(), "links point at the gateway: " + url);
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void a_customer_estimates_submits_with_a_key_downloads_the_images_and_pays_what_was_produced(Fleet fleet) throws Exception {
        Customer customer = customer(fleet, 500);
        String gateway = fleet.gatewayUrl();
        String ip = customer.account().ip();

        // the catalogue is public
        Journeys.at(gateway, ip).get("/v1/models?category=text-to-image").then().statusCode(200)
                .body("data.model_id", hasItem(MODEL));
        Journeys.at(gateway, ip).get("/v1/models/" + MODEL).then().statusCode(200).body("input_schema", notNullValue());
        String body = "{\"prompt\": \"a lighthouse at dusk\", \"seed\": 11, \"width\": 256, \"height\": 160, \"num_images\": 2}";
        long estimate = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).contentType("application/json").body(body)
                .post("/v1/models/" + MODEL + "/estimate").then().statusCode(200).extract().jsonPath().getLong("estimated_cost_minor");
        assertTrue(estimate > 0 && estimate < 500, "estimate " + estimate);

        // a bad input is a problem document and holds nothing
        submit(fleet, customer, "{\"prompt\": \"\", \"width\": 100000}", null).then().statusCode(422)
                .contentType("application/problem+json");
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/balance").then().statusCode(200)
                .body("available_minor", equalTo(500)).body("reserved_minor", equalTo(0));

        String idempotencyKey = "journey-" + UUID.randomUUID();
        Response submitted = submit(fleet, customer, body, idempotencyKey);
        submitted.then().statusCode(202).body("status", equalTo("IN_QUEUE")).body("estimated_cost_minor", equalTo((int) estimate))
                .body("status_url", startsWith(gateway + "/v1/queue/" + MODEL + "/requests/"));
        String id = submitted.path("request_id");
        // a retry of the same submit is the same request, not a second job or a second hold
        submit(fleet, customer, body, idempotencyKey).then().statusCode(202).header("Idempotent-Replayed", "true")
                .body("request_id", equalTo(id));

        JsonPath done = awaitStatus(fleet, customer, id, "COMPLETED");
        assertEquals(100, done.getInt("progress.percent"));
        JsonPath result = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/queue/" + MODEL + "/requests/" + id)
                .then().statusCode(200).extract().jsonPath();
        long cost = result.getLong("cost_minor");
        assertEquals(estimate, cost, "two images were asked for and two produced");
        List<String> urls = result.getList("output.images.url");
        assertEquals(2, urls.size());
        // the signed link works without credentials, through the gateway, and yields the image asked for
        byte[] png = Journeys.at(gateway, ip).get(onGateway(fleet, urls.get(0))).then().statusCode(200).contentType("image/png")
                .extract().asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(256, image.getWidth());
        assertEquals(160, image.getHeight());
        Journeys.at(gateway, ip).get(onGateway(fleet, urls.get(0)).replaceFirst("signature=.", "signature=A")).then()
                .statusCode(403).contentType("application/problem+json").body("code", equalTo("INVALID_ASSET_LINK"));

        // billing captured the job's cost when render's job.completed arrived; nothing stays reserved
        awaitBalance(fleet, customer.account(), 500 - cost);
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/usage").then().statusCode(200)
                .body("spend.find { it.product == 'render' }.model_id", equalTo(MODEL))
                .body("spend.find { it.product == 'render' }.amount_minor", equalTo((int) cost));
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/jobs").then().statusCode(200)
                .body("meta.total", equalTo(1)).body("data[0].request_id", equalTo(id));

        // another customer cannot see the request, and a key without render scopes cannot submit
        Customer other = customer(fleet, 0);
        Journeys.at(gateway, other.account().ip()).header("X-API-Key", other.key())
                .get("/v1/queue/" + MODEL + "/requests/" + id + "/status").then().statusCode(404)
                .contentType("application/problem+json");
        String readOnly = JsonPath.from(Journeys.at(gateway, ip).auth().oauth2(customer.account().accessToken())
                .contentType("application/json").body("{\"name\": \"reader\", \"scopes\": [\"billing:read\"]}")
                .post("/v1/api-keys").then().statusCode(201).extract().asString()).getString("secret_key");
        Journeys.at(gateway, ip).header("X-API-Key", readOnly).contentType("application/json").body(body).post("/v1/queue/" + MODEL)
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void an_empty_wallet_is_402_at_submit_and_queues_nothing(Fleet fleet) {
        Customer customer = customer(fleet, 0);
        submit(fleet, customer, "{\"prompt\": \"unpaid\", \"width\": 64, \"height\": 64}", null).then().statusCode(402)
                .contentType("application/problem+json").body("code", equalTo("INSUFFICIENT_BALANCE"))
                .body("available", equalTo(0));
        Journeys.at(fleet.gatewayUrl(), customer.account().ip()).header("X-API-Key", customer.key()).get("/v1/jobs").then()
                .statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void a_queued_job_cancelled_costs_nothing_and_a_running_one_completes_and_is_charged_once(Fleet fleet) {
        Customer customer = customer(fleet, 1000);
        String gateway = fleet.gatewayUrl();
        String ip = customer.account().ip();
        // the fleet runs one job per customer at a time: the second waits behind the first
        String running = submit(fleet, customer, SLOW, null).then().statusCode(202).extract().path("request_id");
        String queued = submit(fleet, customer, "{\"prompt\": \"waits\", \"width\": 64, \"height\": 64}", null)
                .then().statusCode(202).extract().path("request_id");
        awaitStatus(fleet, customer, running, "IN_PROGRESS");
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/balance").then().statusCode(200)
                .body("reserved_minor", org.hamcrest.Matchers.greaterThan(0));

        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).put("/v1/queue/" + MODEL + "/requests/" + queued + "/cancel")
                .then().statusCode(200).body("ok", equalTo(true)).body("status", equalTo("CANCELLED"));
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).put("/v1/queue/" + MODEL + "/requests/" + running + "/cancel")
                .then().statusCode(200).body("ok", equalTo(false)).body("status", equalTo("IN_PROGRESS"));
        awaitStatus(fleet, customer, running, "COMPLETED");
        long cost = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/queue/" + MODEL + "/requests/" + running)
                .then().statusCode(200).extract().jsonPath().getLong("cost_minor");
        assertTrue(cost > 0);
        // the cancelled job's hold was voided and the running one's captured, once
        awaitBalance(fleet, customer.account(), 1000 - cost);
        List<String> types = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/transactions")
                .then().statusCode(200).extract().jsonPath().getList("data.type");
        assertEquals(1, types.stream().filter("capture"::equals).count(), types.toString());
        assertEquals(2, types.stream().filter("hold"::equals).count(), types.toString());
    }

    @Test
    void a_synchronous_run_answers_the_result_or_202_timeout_and_the_job_completes_in_the_queue(Fleet fleet) {
        Customer customer = customer(fleet, 1000);
        String gateway = fleet.gatewayUrl();
        String ip = customer.account().ip();
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).contentType("application/json")
                .body("{\"prompt\": \"quick\", \"width\": 128, \"height\": 128}").post("/v1/run/" + MODEL).then().statusCode(200)
                .body("status", equalTo("COMPLETED")).body("output.images[0].url", startsWith(gateway + "/v1/assets/"));

        Response timedOut = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).header("Prefer", "wait=1")
                .contentType("application/json").body(SLOW).post("/v1/run/" + MODEL);
        timedOut.then().statusCode(202).body("code", equalTo("TIMEOUT")).body("status_url", startsWith(gateway + "/v1/queue/"));
        String id = timedOut.path("request_id");
        awaitStatus(fleet, customer, id, "COMPLETED");
        long spent = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/jobs").then().statusCode(200)
                .extract().jsonPath().getList("data.cost_minor", Long.class).stream().mapToLong(Long::longValue).sum();
        awaitBalance(fleet, customer.account(), 1000 - spent);
        List<String> types = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/transactions")
                .then().statusCode(200).extract().jsonPath().getList("data.type");
        assertEquals(2, types.stream().filter("capture"::equals).count(), "one capture per job: " + types);
    }

    @Test
    void a_remote_provider_renders_through_its_queue_and_one_that_fails_releases_the_hold_and_tells_the_user(Fleet fleet)
            throws Exception {
        Customer customer = customer(fleet, 500);
        String gateway = fleet.gatewayUrl();
        String ip = customer.account().ip();
        int submitsBefore = fleet.sandbox().renderQueue().submits();

        // journey 6: a failing remote provider gives FAILED, the hold is released, the balance is as before, a notice arrives
        String failing = "sandbox/failing-image";
        String doomed = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).contentType("application/json")
                .body("{\"prompt\": \"doomed\"}").post("/v1/queue/" + failing).then().statusCode(202).extract().path("request_id");
        JsonPath failed = awaitStatus(fleet, customer, failing, doomed, "FAILED");
        assertTrue(failed.getString("error").contains("crashed"), failed.prettify());
        awaitBalance(fleet, customer.account(), 500);
        List<String> types = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/transactions")
                .then().statusCode(200).extract().jsonPath().getList("data.type");
        assertEquals(List.of("release", "hold"), types.subList(0, 2), types.toString());
        Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/me/activity?operation=submit&status=error").then()
                .statusCode(200).body("data[0].request_id", equalTo(doomed)).body("data[0].error_code", equalTo("internal_error"))
                .body("data[0].credits_minor", equalTo(0));
        long waiting = System.nanoTime();
        while (!Journeys.at(gateway, ip).auth().oauth2(customer.account().accessToken()).get("/v1/notifications").jsonPath()
                .getList("data.title").contains("Render job on " + failing + " failed")) {
            assertTrue(System.nanoTime() - waiting < 30_000_000_000L, "the failed job's notice did not arrive in 30 s");
            Thread.sleep(200);
        }

        // a remote model that works: its outputs come back re-hosted behind our signed links, charged per image
        String fast = "sandbox/fast-image";
        String id = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).contentType("application/json")
                .body("{\"prompt\": \"remote\", \"width\": 96, \"height\": 64}").post("/v1/queue/" + fast).then().statusCode(202)
                .extract().path("request_id");
        // watched as Server-Sent Events through the gateway until the job ends
        java.net.http.HttpResponse<java.util.stream.Stream<String>> stream = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(gateway + "/v1/queue/requests/" + id + "/status/stream"))
                        .header("X-API-Key", customer.key()).header("X-Forwarded-For", ip).header("Accept", "text/event-stream")
                        .timeout(Duration.ofSeconds(60)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        List<String> events = stream.body().filter(line -> line.startsWith("data:")).toList();
        assertTrue(events.get(events.size() - 1).contains("\"status\":\"COMPLETED\""), events.toString());
        JsonPath result = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/queue/" + fast + "/requests/" + id)
                .then().statusCode(200).body("cost_minor", equalTo(3)).extract().jsonPath();
        String url = result.getString("output.images[0].url");
        assertTrue(url.startsWith(gateway + "/v1/assets/"), url);
        byte[] png = Journeys.at(gateway, ip).get(onGateway(fleet, url)).then().statusCode(200).contentType("image/png").extract()
                .asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(96, image.getWidth());
        assertEquals(64, image.getHeight());
        awaitBalance(fleet, customer.account(), 497);
        assertEquals(2, fleet.sandbox().renderQueue().submits() - submitsBefore, "each job submitted once at the provider");
        // the provider's signed completion callbacks came in through the gateway and were accepted
        List<io.tollgate.sandbox.RenderQueueSandbox.Callback> callbacks = fleet.sandbox().renderQueue().callbacks().stream()
                .filter(c -> c.url().startsWith(gateway + "/v1/render/callbacks/sandbox")).toList();
        assertTrue(callbacks.stream().filter(c -> c.status() == 200).count() >= 2, callbacks.toString());
    }

    @Test
    void journey_5_a_keyed_render_is_captured_counted_by_model_and_key_and_delivered_to_the_partner_once(Fleet fleet)
            throws Exception {
        List<String[]> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer partner = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        java.util.Map<String, List<String>>[] lastHeaders = new java.util.Map[1];
        partner.createContext("/renders", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            java.util.Map<String, List<String>> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
            lastHeaders[0] = headers;
            received.add(new String[] {body});
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        partner.start();
        try {
            Customer customer = customer(fleet, 1000);
            String gateway = fleet.gatewayUrl();
            String ip = customer.account().ip();
            Response hook = Journeys.at(gateway, ip).auth().oauth2(customer.account().accessToken()).contentType("application/json")
                    .body(java.util.Map.of("url", "http://127.0.0.1:" + partner.getAddress().getPort() + "/renders",
                            "events", List.of("job.completed")))
                    .post("/v1/webhooks");
            hook.then().statusCode(201);
            String endpoint = hook.path("id");
            String secret = hook.path("secret");

            String id = submit(fleet, customer, "{\"prompt\": \"journey five\", \"width\": 96, \"height\": 64}", null).then()
                    .statusCode(202).extract().path("request_id");
            awaitStatus(fleet, customer, id, "COMPLETED");
            awaitBalance(fleet, customer.account(), 998);

            // billing counts the capture by model and by the key that asked for it
            JsonPath usage = Journeys.at(gateway, ip).header("X-API-Key", customer.key()).get("/v1/billing/usage").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(2, usage.getInt("total_minor.USD"), usage.prettify());
            assertEquals(MODEL, usage.getString("spend[0].model_id"), usage.prettify());
            assertEquals(customer.keyId(), usage.getString("spend[0].api_key_id"), usage.prettify());
            assertEquals(2, usage.getInt("spend[0].amount_minor"));

            // the partner's endpoint gets job.completed once, signed, on the first attempt
            long waiting = System.nanoTime();
            while (received.stream().noneMatch(r -> r[0].contains(id))) {
                assertTrue(System.nanoTime() - waiting < 30_000_000_000L, "the partner's webhook did not arrive in 30 s");
                Thread.sleep(200);
            }
            String delivered = received.stream().filter(r -> r[0].contains(id)).findFirst().orElseThrow()[0];
            new com.standardwebhooks.Webhook(secret).verify(delivered, lastHeaders[0]);
            JsonPath event = JsonPath.from(delivered);
            assertEquals(2, event.getInt("data.cost_minor"), delivered);
            Journeys.at(gateway, ip).auth().oauth2(customer.account().accessToken())
                    .get("/v1/webhooks/" + endpoint + "/deliveries?event_type=job.completed").then().statusCode(200)
                    .body("data", org.hamcrest.Matchers.hasSize(1)).body("data[0].status", equalTo("succeeded"))
                    .body("data[0].attempts", equalTo(1));
        } finally {
            partner.stop(0);
        }
    }

    @Test
    void a_requests_own_webhook_url_receives_start_and_completed_signed_with_the_users_request_secret(Fleet fleet) throws Exception {
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<java.util.Map<String, List<String>>> headers = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer partner = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        partner.createContext("/job-hook", exchange -> {
            java.util.Map<String, List<String>> h = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), List.copyOf(v)));
            headers.add(h);
            received.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        partner.start();
        try {
            Customer customer = customer(fleet, 1000);
            String gateway = fleet.gatewayUrl();
            String ip = customer.account().ip();
            String hookUrl = "http://127.0.0.1:" + partner.getAddress().getPort() + "/job-hook";
            String id = submit(fleet, customer, "{\"prompt\": \"hooked\", \"width\": 64, \"height\": 64, \"webhook_url\": \"" + hookUrl
                    + "\", \"webhook_events_filter\": [\"start\", \"completed\"]}", null).then().statusCode(202).extract().path("request_id");
            awaitStatus(fleet, customer, id, "COMPLETED");
            long waiting = System.nanoTime();
            while (received.size() < 2) {
                assertTrue(System.nanoTime() - waiting < 30_000_000_000L, "the request's webhooks did not arrive: " + received);
                Thread.sleep(200);
            }
            String key = Journeys.at(gateway, ip).auth().oauth2(customer.account().accessToken()).get("/v1/webhooks/default/secret")
                    .then().statusCode(200).extract().path("key");
            for (int i = 0; i < received.size(); i++) {
                new com.standardwebhooks.Webhook(key).verify(received.get(i), headers.get(i));
            }
            List<String> types = received.stream().map(b -> JsonPath.from(b).getString("type")).sorted().toList();
            assertEquals(List.of("request.completed", "request.start"), types);
            String completed = received.stream().filter(b -> b.contains("request.completed")).findFirst().orElseThrow();
            JsonPath body = JsonPath.from(completed);
            assertEquals(id, body.getString("data.request_id"));
            assertEquals("COMPLETED", body.getString("data.status"));
            String image = body.getString("data.output.images[0].url");
            // the signed link in the webhook opens the file through the gateway
            Journeys.at(gateway, ip).get(onGateway(fleet, image)).then().statusCode(200).contentType("image/png");
        } finally {
            partner.stop(0);
        }
    }
}
