package io.tollgate.e2e;

import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.tollgate.e2e.Databases.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet under faults. While clients register, get credits granted, run render jobs (a hold
 * placed at billing, captured or voided from render's events), cancel some and receive webhooks,
 * the run SIGKILLs and restarts billing, render, notification, identity and the gateway, and
 * restarts PostgreSQL and Kafka, one fault at a time with the load going on. A client retries a
 * request that met a fault with the same Idempotency-Key, as a client of such an API should.
 * Afterwards: no money created or lost (each wallet is its grants less its captures, every journal
 * entry balanced, every hold resolved once, one grant per acknowledged grant), no event lost or
 * applied twice (every outbox row of the run published, none parked; one wallet per registered
 * user; one capture per completed job), per-aggregate order kept on Kafka (each job's events first
 * appear in the order they were appended), and every webhook delivered at least once under one
 * {@code webhook-id}. It prints the counts.
 *
 * <p>The short profile runs here; {@code bench/chaos/run.sh} runs the long one (10,000 operations,
 * 21 faults) through the system properties {@code tollgate.chaos.operations}, {@code .faults} and
 * {@code .clients}. With {@code --infra=containers} the servers belong to Testcontainers and only
 * the services are faulted.
 */
@ExtendWith(FleetExtension.class)
class FleetChaosJourneyTest {

    private static final int OPERATIONS = Integer.getInteger("tollgate.chaos.operations", 300);
    private static final int FAULTS = Integer.getInteger("tollgate.chaos.faults", 7);
    private static final int CLIENTS = Integer.getInteger("tollgate.chaos.clients", 6);
    private static final List<String> ROTATION = List.of("billing", "postgres", "render", "notification", "kafka", "identity", "gateway");
    private static final String MODEL = "local/procedural-image";
    private static final long FIRST_GRANT = 200_000;
    /** How long one request keeps being retried: longer than any single fault lasts. */
    private static final Duration RETRY_FOR = Duration.ofMinutes(4);
    private static final RestAssuredConfig TIMEOUTS = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
            .setParam("http.connection.timeout", 5_000).setParam("http.socket.timeout", 30_000));

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger operations = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicBoolean faultsDone = new AtomicBoolean();

    private record Client(RenderJourneyTest.Customer customer, String endpoint) {
        String userId() {
            return customer.account().userId();
        }
    }

    private record Grant(String userId, long amount, String reason) {
    }

    private record Job(String userId, String id) {
    }

    @Test
    void money_events_and_webhooks_survive_killed_services_and_restarted_servers(Fleet fleet) throws Exception {
        boolean localServers = System.getProperty("tollgate.pg.host") == null;
        Instant started = Instant.now().minusSeconds(1);
        List<Grant> grants = new CopyOnWriteArrayList<>();
        List<Job> jobs = new CopyOnWriteArrayList<>();
        Set<String> cancelRequested = ConcurrentHashMap.newKeySet();
        List<String> registered = new CopyOnWriteArrayList<>();
        List<String> faults = new CopyOnWriteArrayList<>();
        try (Partner partner = Partner.at("/chaos")) {
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                RenderJourneyTest.Customer customer = RenderJourneyTest.customer(fleet, 0);
                String endpoint = Journeys.at(fleet.gatewayUrl(), customer.account().ip()).auth().oauth2(customer.account().accessToken())
                        .contentType("application/json")
                        .body(Map.of("url", partner.url(), "events", List.of("credits.granted", "job.completed"), "description", "chaos"))
                        .post("/v1/webhooks").then().statusCode(201).extract().path("id");
                clients.add(new Client(customer, endpoint));
            }
            for (Client client : clients) {
                grant(fleet, client, FIRST_GRANT, "first-" + client.userId(), grants);
            }

            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    Client client = clients.get(i);
                    String prefix = "c" + i + "-";
                    SplittableRandom random = new SplittableRandom(20261203L + i);
                    running.add(pool.submit(() -> {
                        int n = 0;
                        while (operations.get() < OPERATIONS || !faultsDone.get()) {
                            int roll = random.nextInt(100);
                            String label = prefix + n++;
                            if (roll < 35) {
                                grant(fleet, client, 100 + random.nextInt(900), label, grants);
                            } else if (roll < 80) {
                                Job job = submit(fleet, client, label);
                                jobs.add(job);
                                if (roll < 40) {
                                    cancel(fleet, client, job);
                                    cancelRequested.add(job.id());
                                }
                            } else if (roll < 88) {
                                registered.add(register(fleet, label));
                            } else {
                                until("balance of " + client.userId(), () -> asClient(fleet, client).get("/v1/billing/balance"), 200);
                            }
                            operations.incrementAndGet();
                        }
                        return null;
                    }));
                }
                running.add(pool.submit(() -> {
                    try {
                        for (int i = 0; i < FAULTS; i++) {
                            long due = (long) (i + 1) * OPERATIONS / (FAULTS + 1);
                            while (operations.get() < due) {
                                Thread.sleep(50);
                            }
                            String target = ROTATION.get(i % ROTATION.size());
                            boolean server = target.equals("postgres") || target.equals("kafka");
                            if (server && !localServers) {
                                target = "billing";
                                server = false;
                            }
                            if (server) {
                                restartServer(target);
                            } else {
                                fleet.kill(target);
                                fleet.restart(target);
                            }
                            faults.add(target);
                            fleet.awaitAllReady(Duration.ofMinutes(3));
                        }
                    } finally {
                        faultsDone.set(true);
                    }
                    return null;
                }));
                for (Future<?> f : running) {
                    f.get(30, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            fleet.awaitAllReady(Duration.ofMinutes(3));

            Set<String> users = clients.stream().map(Client::userId).collect(Collectors.toSet());
            Set<String> completed = settle(users, jobs, cancelRequested);
            long events = drainedOutboxes(started);
            long ordered = perAggregateOrder(jobs);
            walletsBalance(clients, grants);
            long[] webhooks = webhooksOnce(partner, clients, grants, completed);
            checkRegistered(registered);
            System.out.printf("chaos: %d operations (%d retried requests), %d faults injected %s, %d clients, %d users registered, "
                            + "%d grants, %d jobs (%d completed), %d outbox events published, %d job events in order on Kafka, "
                            + "%d webhook deliveries of %d events, violations = 0%n",
                    operations.get(), retries.get(), faults.size(), faults, CLIENTS, registered.size(), grants.size(), jobs.size(),
                    completed.size(), events, ordered, webhooks[0], webhooks[1]);
            assertEquals(FAULTS, faults.size(), "every planned fault was injected");
        }
    }

    // ---- the clients' operations, each retried through faults until it has an answer ----

    private RequestSpecification asClient(Fleet fleet, Client client) {
        return Journeys.at(fleet.gatewayUrl(), client.customer().account().ip()).config(TIMEOUTS)
                .header("X-API-Key", client.customer().key());
    }

    private Journeys.Account admin;
    private long adminSignedInAt;

    /** The administrator, signed in again before its access token (15 minutes) runs out in a long run. */
    private synchronized Journeys.Account admin(Fleet fleet) {
        if (admin == null) {
            admin = Journeys.admin(fleet);
            adminSignedInAt = System.nanoTime();
        } else if (System.nanoTime() - adminSignedInAt > Duration.ofMinutes(10).toNanos()) {
            Journeys.Account before = admin;
            Response login = until("admin sign-in", () -> Journeys.at(fleet.gatewayUrl(), before.ip()).config(TIMEOUTS)
                    .contentType("application/json").body("{\"email\": \"" + before.email() + "\", \"password\": \""
                            + Journeys.PASSWORD + "\", \"device_name\": \"chaos\"}").post("/v1/auth/login"), 200);
            admin = new Journeys.Account(before.userId(), before.email(), login.path("access_token"), login.path("refresh_token"),
                    before.ip());
            adminSignedInAt = System.nanoTime();
        }
        return admin;
    }

    private void grant(Fleet fleet, Client client, long amount, String label, List<Grant> grants) {
        String reason = "chaos " + run + " grant " + label;
        String body = "{\"amount_minor\": " + amount + ", \"reason\": \"" + reason + "\"}";
        String key = "chaos-" + run + "-grant-" + label;
        until("grant " + label, () -> {
            Journeys.Account by = admin(fleet);
            return Journeys.at(fleet.gatewayUrl(), by.ip()).config(TIMEOUTS).auth().oauth2(by.accessToken())
                .contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/admin/billing/users/" + client.userId() + "/credits/grant");
        }, 201);
        grants.add(new Grant(client.userId(), amount, reason));
    }

    private Job submit(Fleet fleet, Client client, String label) {
        String body = "{\"prompt\": \"chaos " + label + "\", \"width\": 64, \"height\": 64, \"num_inference_steps\": 1}";
        String key = "chaos-" + run + "-job-" + label;
        String id = until("job " + label, () -> asClient(fleet, client).contentType("application/json").header("Idempotency-Key", key)
                .body(body).post("/v1/queue/" + MODEL), 202).path("request_id");
        return new Job(client.userId(), id);
    }

    private void cancel(Fleet fleet, Client client, Job job) {
        // OK, CANCELLATION_REQUESTED (202) or ALREADY_COMPLETED (409): each is an answer, and the job ends once either way
        until("cancel " + job.id(), () -> asClient(fleet, client).put("/v1/queue/" + MODEL + "/requests/" + job.id() + "/cancel"),
                200, 202, 409);
    }

    /** Sign-up, e-mail verification (the link comes by mail, through identity's event and notification) and sign-in. */
    private String register(Fleet fleet, String label) {
        String ip = Journeys.randomIp();
        String email = "chaos-" + run + "-" + label + "@example.com";
        String body = "{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + Journeys.PASSWORD
                + "\", \"full_name\": \"Chaos User\", \"accept_terms\": true}";
        // a retry of a sign-up that had committed finds the address taken: the first one counts
        until("register " + email, () -> Journeys.at(fleet.gatewayUrl(), ip).config(TIMEOUTS).contentType("application/json")
                .body(body).post("/v1/auth/register"), 201, 409);
        String token = Journeys.verificationToken(fleet, email, RETRY_FOR);
        Response verified = until("verify " + email, () -> Journeys.at(fleet.gatewayUrl(), ip).config(TIMEOUTS)
                .contentType("application/json").body("{\"token\": \"" + token + "\"}").post("/v1/auth/verify/email"), 200, 400, 409, 410);
        Response login = until("sign in " + email, () -> Journeys.at(fleet.gatewayUrl(), ip).config(TIMEOUTS).contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"" + Journeys.PASSWORD + "\", \"device_name\": \"chaos\"}")
                .post("/v1/auth/login"), 200);
        assertTrue(verified.statusCode() == 200 || login.statusCode() == 200, "a verified address signs in");
        String payload = login.<String>path("access_token").split("\\.")[1];
        return JsonPath.from(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8)).getString("sub");
    }

    /**
     * Sends until the status is one of {@code expected}. No connection, a timeout, a 5xx, a 429 or
     * an Idempotency-Key still in flight is a fault of the moment and sent again as it was; any other
     * answer fails the run.
     */
    private Response until(String what, Supplier<Response> send, int... expected) {
        long end = System.nanoTime() + RETRY_FOR.toNanos();
        while (true) {
            String why;
            long wait = 250;
            try {
                Response response = send.get();
                for (int status : expected) {
                    if (response.statusCode() == status) {
                        return response;
                    }
                }
                why = response.statusCode() + " " + response.asString();
                boolean inFlight = response.statusCode() == 409 && why.contains("IDEMPOTENCY_KEY_IN_FLIGHT");
                if (response.statusCode() < 500 && response.statusCode() != 429 && !inFlight) {
                    throw new AssertionError(what + " was answered " + why);
                }
                if (response.statusCode() == 429 && response.header("Retry-After") != null) {
                    wait = Math.min(10_000, Long.parseLong(response.header("Retry-After").trim()) * 1000);
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                why = e.toString();
            }
            retries.incrementAndGet();
            if (System.nanoTime() > end) {
                throw new AssertionError(what + " had no answer within " + RETRY_FOR + "; last: " + why);
            }
            sleep(wait);
        }
    }

    // ---- the faults ----

    /** Restarts a local server with its own script: PostgreSQL stops fast (open transactions rolled back, clients cut off), Kafka stops controlled. */
    private static void restartServer(String server) throws Exception {
        Path root = Fleet.root();
        Path log = root.resolve("e2e/target/fleet/" + server + "-restarts.log");
        Process process = new ProcessBuilder(root.resolve("deploy/local/" + server + ".sh").toString(), "restart")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), server + " did not restart within 3 minutes; see " + log);
        assertEquals(0, process.exitValue(), server + " did not restart; see " + log);
    }

    // ---- the checks ----

    private static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> done) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.call()) {
            assertTrue(System.nanoTime() < end, what + " within " + timeout);
            Thread.sleep(500);
        }
    }

    /** Every job ended once and every hold resolved once; the books balance to the minor unit. Returns the completed jobs. */
    private static Set<String> settle(Set<String> users, List<Job> jobs, Set<String> cancelRequested) throws Exception {
        try (Connection render = Databases.connect("render"); Connection billing = Databases.connect("billing")) {
            var ids = render.createArrayOf("uuid", users.toArray());
            await("every job ended", Duration.ofMinutes(5), () -> count(render,
                    "select count(*) from jobs where user_id = any (?) and status in ('IN_QUEUE', 'IN_PROGRESS')", ids) == 0);
            assertEquals(jobs.size(), count(render, "select count(*) from jobs where user_id = any (?)", ids),
                    "one job per acknowledged submission, none from a retried one");
            Set<String> completed = new HashSet<>();
            long cancelled = 0;
            try (PreparedStatement s = render.prepareStatement("select id, status from jobs where user_id = any (?)")) {
                s.setArray(1, ids);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (r.getString(2).equals("COMPLETED")) {
                            completed.add(r.getString(1));
                        } else if (r.getString(2).equals("CANCELLED")) {
                            cancelled++;
                        }
                    }
                }
            }
            assertTrue(cancelled <= cancelRequested.size(), "only jobs asked to cancel were cancelled");
            var billingIds = billing.createArrayOf("uuid", users.toArray());
            await("every hold resolved", Duration.ofMinutes(5), () -> count(billing,
                    "select count(*) from holds where user_id = any (?) and status = 'pending'", billingIds) == 0);
            assertEquals(jobs.size(), count(billing, "select count(*) from holds where user_id = any (?)", billingIds), "one hold per job");
            assertEquals(completed.size(), count(billing,
                    "select count(*) from journal where user_id = any (?) and type = 'capture'", billingIds), "one capture per completed job");
            assertEquals(0, count(billing, "select count(*) from (select journal_id from postings p join journal j on j.id = p.journal_id"
                    + " where j.user_id = any (?) group by journal_id having sum(p.amount_minor) <> 0) unbalanced", billingIds),
                    "every journal entry's postings sum to zero");
            assertEquals(0, count(billing, "select coalesce(sum(reserved_minor), 0) from wallets where user_id = any (?)", billingIds),
                    "nothing is left reserved");
            return completed;
        }
    }

    /** Every outbox row any service appended during the run was published, and none was parked. Returns how many. */
    private static long drainedOutboxes(Instant since) throws Exception {
        long total = 0;
        for (String service : List.of("identity", "billing", "render", "notification", "proxy")) {
            try (Connection c = Databases.connect(service)) {
                Timestamp from = Timestamp.from(since);
                await(service + "'s outbox published", Duration.ofMinutes(3),
                        () -> count(c, "select count(*) from outbox where sent_at is null and created_at >= ?", from) == 0);
                assertEquals(0, count(c, "select count(*) from outbox where parked_at is not null and created_at >= ?", from),
                        service + " parked none of the run's events");
                total += count(c, "select count(*) from outbox where created_at >= ?", from);
            }
        }
        return total;
    }

    /**
     * Reads render's job events back from Kafka: for every job of the run, the events first appear
     * on its key in its topic in the order render appended them (the outbox's seq); a redelivery after a fault
     * may repeat an event, never overtake one. Returns how many events were checked.
     */
    private static long perAggregateOrder(List<Job> jobs) throws Exception {
        Map<String, Long> seqOf = new HashMap<>();
        Set<String> topics = new HashSet<>();
        try (Connection render = Databases.connect("render");
             PreparedStatement s = render.prepareStatement("select id::text, seq, topic from outbox where aggregate_id = any (?)")) {
            s.setArray(1, render.createArrayOf("text", jobs.stream().map(Job::id).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    seqOf.put(r.getString(1), r.getLong(2));
                    topics.add(r.getString(3));
                }
            }
        }
        assertTrue(seqOf.size() >= 2L * jobs.size(), "render appended events for the run's jobs");
        Properties props = new Properties();
        props.put("bootstrap.servers", System.getProperty("tollgate.kafka.host", "127.0.0.1") + ":"
                + System.getProperty("tollgate.kafka.port", System.getenv().getOrDefault("TOLLGATE_KAFKA_PORT", "59092")));
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        Map<String, Long> lastSeq = new HashMap<>();
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertTrue(System.nanoTime() < deadline, "render's topics read back within 2 minutes");
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header id = record.headers().lastHeader("ce_id");
                    Long seq = id == null ? null : seqOf.get(new String(id.value(), StandardCharsets.UTF_8));
                    if (seq == null || !seen.add(new String(id.value(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    // the order promised is per topic and key (job.queued goes to the work topic, the rest to render.events)
                    Long before = lastSeq.put(record.topic() + " " + record.key(), seq);
                    assertTrue(before == null || before < seq,
                            "job " + record.key() + "'s event " + seq + " came after " + before + " on " + record.topic());
                }
            }
        }
        assertEquals(seqOf.keySet(), seen, "every event render appended for the run's jobs is on Kafka");
        return seen.size();
    }

    /**
     * Every grant and every completed job reached its owner's endpoint at least once, each under one
     * {@code webhook-id} however often it was delivered. Returns {deliveries, distinct events}.
     */
    private static long[] webhooksOnce(Partner partner, List<Client> clients, List<Grant> grants, Set<String> completed) throws Exception {
        Set<String> users = clients.stream().map(Client::userId).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>();
        grants.forEach(g -> expected.add("credits.granted " + g.reason()));
        completed.forEach(id -> expected.add("job.completed " + id));
        Map<String, Set<String>> webhookIds = new HashMap<>();
        await("every webhook delivered", Duration.ofMinutes(4), () -> {
            webhookIds.clear();
            for (Partner.Received received : partner.received) {
                JsonPath body = JsonPath.from(received.body());
                if (!users.contains(body.getString("data.user_id"))) {
                    continue;
                }
                String event = body.getString("type") + " " + (body.getString("type").equals("credits.granted")
                        ? body.getString("data.reason") : body.getString("data.job_id"));
                webhookIds.computeIfAbsent(event, k -> new HashSet<>()).add(received.headers().get("webhook-id").getFirst());
            }
            return webhookIds.keySet().containsAll(expected);
        });
        assertEquals(expected, webhookIds.keySet(), "the partner got the run's grants and completed jobs and nothing else");
        webhookIds.forEach((event, ids) -> assertEquals(1, ids.size(), event + " was delivered under " + ids));
        long deliveries = partner.received.stream().filter(r -> users.contains(JsonPath.from(r.body()).getString("data.user_id"))).count();
        return new long[] {deliveries, webhookIds.size()};
    }

    /** Each client's wallet is its acknowledged grants (each journalled once) less what its completed jobs cost. */
    private static void walletsBalance(List<Client> clients, List<Grant> grants) throws Exception {
        try (Connection billing = Databases.connect("billing"); Connection render = Databases.connect("render")) {
            for (Client client : clients) {
                UUID user = UUID.fromString(client.userId());
                long granted = grants.stream().filter(g -> g.userId().equals(client.userId())).mapToLong(Grant::amount).sum();
                long spent = count(render, "select coalesce(sum(cost_minor), 0) from jobs where user_id = ? and status = 'COMPLETED'", user);
                assertEquals(grants.stream().filter(g -> g.userId().equals(client.userId())).count(),
                        count(billing, "select count(*) from journal where user_id = ? and type = 'grant'", user),
                        "one grant per acknowledged grant of " + user);
                assertEquals(granted - spent, count(billing, "select coalesce(sum(available_minor), 0) from wallets where user_id = ?", user),
                        "the wallet of " + user + " holds its grants less its captures");
            }
        }
    }

    /** Each user who signed up exists once at identity and has exactly one wallet at billing. */
    private static void checkRegistered(List<String> registered) throws Exception {
        if (registered.isEmpty()) {
            return;
        }
        try (Connection identity = Databases.connect("identity"); Connection billing = Databases.connect("billing")) {
            assertEquals(registered.size(), count(identity, "select count(*) from users where id = any (?)",
                    identity.createArrayOf("uuid", registered.toArray())), "every sign-up is one user");
            var ids = billing.createArrayOf("uuid", registered.toArray());
            await("a wallet for every new user", Duration.ofMinutes(3),
                    () -> count(billing, "select count(*) from wallets where user_id = any (?)", ids) == registered.size());
            assertEquals(registered.size(), count(billing, "select count(*) from wallets where user_id = any (?)", ids),
                    "one wallet per user, however often user.registered arrived");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
