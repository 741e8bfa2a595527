package io.tollgate.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole packaged fleet started as plain processes on free ports, wired to each other and to
 * the local servers, and stopped again. Journeys talk to it only through the gateway.
 */
public final class Fleet implements AutoCloseable {

    public static final List<String> SERVICES = List.of("identity", "billing", "proxy", "render", "notification", "gateway");
    /** Registering with this address makes a platform administrator (unique per run, so it is always free). */
    public static final String ADMIN_EMAIL = "e2e-admin-" + java.util.UUID.randomUUID() + "@tollgate.test";

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Integer> managementPorts = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Path logs;
    /** The payment providers' stand-in, speaking Stripe's protocol to billing and signing its webhooks. */
    public static final String STRIPE_WEBHOOK_SECRET = "whsec_e2e_" + java.util.UUID.randomUUID();
    private io.tollgate.sandbox.ProviderSandbox sandbox;
    private io.tollgate.sandbox.MailSandbox mail;
    /** The OpenTelemetry collector every service exports its spans to. */
    private TraceCollector traces;

    private Fleet(Path root) {
        this.logs = root.resolve("e2e/target/fleet");
    }

    public static Fleet start() {
        Path root = root();
        Fleet fleet = new Fleet(root);
        try {
            Files.createDirectories(fleet.logs);
            List<Integer> free = io.tollgate.kit.testing.Ports.free(2 * SERVICES.size());
            for (int i = 0; i < SERVICES.size(); i++) {
                fleet.ports.put(SERVICES.get(i), free.get(2 * i));
                fleet.managementPorts.put(SERVICES.get(i), free.get(2 * i + 1));
            }
            fleet.sandbox = io.tollgate.sandbox.ProviderSandbox.start(0, "sk_test_e2e", STRIPE_WEBHOOK_SECRET,
                    fleet.url("gateway") + "/v1/billing/webhooks/stripe");
            fleet.sandbox.yookassa().notifyUrl(fleet.url("gateway") + "/v1/billing/webhooks/yookassa");
            fleet.mail = io.tollgate.sandbox.MailSandbox.start(0);
            fleet.traces = TraceCollector.start();
            for (String service : SERVICES) {
                fleet.launch(root, service);
            }
            for (String service : SERVICES) {
                fleet.awaitReady(service, Duration.ofSeconds(180));
            }
            return fleet;
        } catch (IOException | RuntimeException e) {
            fleet.close();
            throw new IllegalStateException("the fleet did not start: " + e.getMessage(), e);
        }
    }

    public io.tollgate.sandbox.ProviderSandbox sandbox() {
        return sandbox;
    }

    /** The SMTP server notification-svc sends to; it keeps every message. */
    public io.tollgate.sandbox.MailSandbox mail() {
        return mail;
    }

    /** The spans the services exported, as an OTLP collector received them. */
    TraceCollector traces() {
        return traces;
    }

    public String gatewayUrl() {
        return url("gateway");
    }

    public String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    /** The service's management interface: health, metrics and its OpenAPI, never routed publicly. */
    public String managementUrl(String service) {
        return "http://127.0.0.1:" + managementPorts.get(service);
    }

    public Path log(String service) {
        return logs.resolve(service + "-svc.log");
    }

    /** One more gateway instance on its own port, sharing Redis and the upstreams with the first. */
    public Extra startExtraGateway() {
        try {
            List<Integer> free = io.tollgate.kit.testing.Ports.free(2);
            int port = free.get(0);
            int management = free.get(1);
            Process process = builder(root(), "gateway", port, management, logs.resolve("gateway-extra.log")).start();
            Extra extra = new Extra(process, "http://127.0.0.1:" + port);
            try {
                awaitReady("extra gateway", process, "http://127.0.0.1:" + management, logs.resolve("gateway-extra.log"),
                        Duration.ofSeconds(120));
            } catch (RuntimeException e) {
                extra.close();
                throw e;
            }
            return extra;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One more instance of {@code service} on free ports with the fleet's settings, {@code profile}
     * instead of the local one and {@code overrides} on top (a value of null removes a setting); for
     * watching how a deployment that lacks something starts or refuses to.
     */
    public Extra startAlone(String service, String profile, Map<String, String> overrides) {
        try {
            List<Integer> free = io.tollgate.kit.testing.Ports.free(2);
            Path logFile = logs.resolve(service + "-alone-" + profile + ".log");
            ProcessBuilder builder = builder(root(), service, free.get(0), free.get(1), logFile);
            builder.environment().put("QUARKUS_PROFILE", profile);
            overrides.forEach((k, v) -> {
                if (v == null) {
                    builder.environment().remove(k);
                } else {
                    builder.environment().put(k, v);
                }
            });
            return new Extra(builder.start(), "http://127.0.0.1:" + free.get(0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A process started beside the fleet, stopped by {@link #close()}. */
    public record Extra(Process process, String url) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private void launch(Path root, String service) throws IOException {
        processes.put(service, builder(root, service, ports.get(service), managementPorts.get(service), log(service)).start());
    }

    /** SIGKILL for one of the fleet's services: no shutdown hook runs, nothing is flushed or handed back. */
    public void kill(String service) {
        Process process = processes.get(service);
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(service + " did not die of SIGKILL within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a killed service again on its own ports (its log goes on in the same file) and waits until it is ready. */
    public void restart(String service) {
        if (processes.get(service).isAlive()) {
            throw new IllegalStateException(service + " is still running");
        }
        try {
            ProcessBuilder builder = builder(root(), service, ports.get(service), managementPorts.get(service), log(service))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(service).toFile()));
            processes.put(service, builder.start());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        awaitReady(service, Duration.ofSeconds(180));
    }

    /** Waits until every service of the fleet answers ready again (after faults in the servers it uses). */
    public void awaitAllReady(Duration timeout) {
        for (String service : SERVICES) {
            awaitReady(service, timeout);
        }
    }

    private ProcessBuilder builder(Path root, String service, int port, int managementPort, Path logFile) {
        Path jar = root.resolve(service + "-svc/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("not packaged: " + jar + " (run ./mvnw package first)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        // --infra=containers: the servers are this JVM's containers (io.tollgate.kit.testing.ContainerServers)
        for (String server : List.of("pg", "redis", "kafka")) {
            String host = System.getProperty("tollgate." + server + ".host");
            String at = System.getProperty("tollgate." + server + ".port");
            if (host != null && at != null) {
                env.put("TOLLGATE_" + server.toUpperCase(Locale.ROOT) + "_HOST", host);
                env.put("TOLLGATE_" + server.toUpperCase(Locale.ROOT) + "_PORT", at);
            }
        }
        // the local profile: development secrets, as under ./tollgate up
        env.put("QUARKUS_PROFILE", "local");
        env.put("TOLLGATE_IDENTITY_ADMIN_EMAILS", ADMIN_EMAIL);
        // one administrator drives every journey and the security matrix's admin cases (over a thousand
        // a run); the admin bucket of 60 a minute would make the run wait, not test more
        env.put("TOLLGATE_GATEWAY_LIMITS_ADMIN", "100000");
        env.put("TOLLGATE_JWKS_URL", url("identity") + "/.well-known/jwks.json");
        env.put("TOLLGATE_PUBLIC_BASE_URL", url("gateway"));
        env.put("TOLLGATE_IDENTITY_URL", url("identity"));
        env.put("TOLLGATE_RENDER_BILLING_URL", url("billing"));
        env.put("TOLLGATE_PROXY_BILLING_URL", url("billing"));
        // a port of a few minutes with auto-renewal on is due at once, and the scanner looks every second
        env.put("TOLLGATE_PROXY_RENEWAL_LEAD", "PT10M");
        env.put("TOLLGATE_PROXY_RENEWAL_SCAN", "1s");
        // render's remote provider: the sandbox's fal-style queue
        env.put("TOLLGATE_RENDER_PROVIDERS_SANDBOX_URL", sandbox.baseUrl() + "/fal");
        // the sandbox signs its completion callbacks; they reach render-svc through the gateway
        env.put("TOLLGATE_RENDER_PROVIDERS_SANDBOX_CALLBACK_JWKS_URL", sandbox.renderQueue().jwksUrl());
        env.put("TOLLGATE_RENDER_PROVIDERS_SANDBOX_CATALOG_URL", sandbox.baseUrl() + "/fal/v1");
        // one job of a user at a time, so a second one waits in the queue where a journey can cancel it
        env.put("TOLLGATE_RENDER_LIMITS_PARALLEL_PER_USER", "1");
        env.put("TOLLGATE_BILLING_STRIPE_API_URL", sandbox.baseUrl() + "/stripe");
        env.put("TOLLGATE_BILLING_STRIPE_CHECKOUT_URL", sandbox.baseUrl() + "/stripe/checkout");
        env.put("TOLLGATE_BILLING_YOOKASSA_API_URL", sandbox.baseUrl() + "/yookassa");
        env.put("TOLLGATE_BILLING_YOOKASSA_ALLOWED_IPS", "127.0.0.1,::1");
        env.put("TOLLGATE_BILLING_COINGATE_API_URL", sandbox.baseUrl() + "/coingate");
        env.put("TOLLGATE_BILLING_COINGATE_CALLBACK_URL", url("gateway") + "/v1/billing/webhooks/coingate");
        env.put("TOLLGATE_BILLING_STRIPE_SECRET_KEY", "sk_test_e2e");
        env.put("TOLLGATE_BILLING_STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET);
        env.put("TOLLGATE_SMTP_PORT", Integer.toString(mail.port()));
        // partners' receivers in the journeys listen on loopback over plain http
        env.put("TOLLGATE_NOTIFICATION_WEBHOOKS_ALLOW_HTTP", "true");
        env.put("TOLLGATE_NOTIFICATION_WEBHOOKS_ALLOWED_PRIVATE_CIDRS", "127.0.0.0/8,::1/128");
        // spans go to the run's OTLP receiver, a batch every fifth of a second
        env.put("TOLLGATE_TRACING_OTLP_ENDPOINT", traces.endpoint());
        env.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
        for (String upstream : SERVICES) {
            if (!upstream.equals("gateway")) {
                env.put("TOLLGATE_UPSTREAM_" + upstream.toUpperCase() + "_URL", url(upstream));
                env.put("TOLLGATE_UPSTREAM_" + upstream.toUpperCase() + "_MANAGEMENT_URL", managementUrl(upstream));
            }
        }
        return builder;
    }

    private void awaitReady(String service, Duration timeout) {
        awaitReady(service, processes.get(service), managementUrl(service), log(service), timeout);
    }

    private static void awaitReady(String service, Process process, String url, Path log, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(300);
        }
        throw new IllegalStateException(service + " was not ready within " + timeout + "; see " + log);
    }

    @Override
    public void close() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (mail != null) {
            mail.close();
        }
        List<Process> running = new ArrayList<>(processes.values());
        running.forEach(Process::destroy);
        for (Process process : running) {
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        if (traces != null) {
            traces.close();
        }
    }

    public boolean allStopped() {
        return processes.values().stream().noneMatch(Process::isAlive);
    }

    static Path root() {
        String root = System.getProperty("tollgate.root");
        Path path = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        while (path != null && !Files.exists(path.resolve("deploy/local/infra.sh"))) {
            path = path.getParent();
        }
        if (path == null) {
            throw new IllegalStateException("cannot find the repository root from " + root);
        }
        return path;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
