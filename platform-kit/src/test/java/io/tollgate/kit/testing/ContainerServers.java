package io.tollgate.kit.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL, Redis and Kafka as containers, started once per test JVM from the images that
 * {@code deploy/images/images.sh} builds (no registry involved: each local image stands in for the
 * official one Testcontainers' module knows). They hold what the local servers hold: a role and a
 * database per service (name = password), the services' topics with three partitions. Every
 * container carries the labels {@code io.tollgate.owner=tests} and {@code io.tollgate.pid}; they are
 * removed when the JVM exits, and {@code images.sh clean} removes any that a killed JVM left behind.
 */
public final class ContainerServers {

    /** The label every container of ours carries, for clean-up by label. */
    public static final String OWNER_LABEL = "io.tollgate.owner";
    /** The test JVM that started the container: {@code images.sh clean} removes those whose JVM is gone. */
    public static final String PID_LABEL = "io.tollgate.pid";
    private static final String PID = String.valueOf(ProcessHandle.current().pid());

    // <svc>_image: the databases of the service images' start check (e2e ServiceImageTest);
    // <svc>_chart: the chart's workloads under podman kube play (deploy/helm KubePlayTest)
    static final List<String> DATABASES = List.of("identity", "billing", "proxy", "render", "notification", "kit",
            "identity_image", "billing_image", "proxy_image", "render_image", "notification_image",
            "identity_chart", "billing_chart", "proxy_chart", "render_chart", "notification_chart");
    static final List<String> TOPICS = List.of("identity.events", "billing.events", "proxy.events", "render.events",
            "notification.events", "render.jobs");

    private static ContainerServers started;

    private final PostgreSQLContainer postgres;
    private final GenericContainer<?> redis;
    private final KafkaContainer kafka;
    private final Map<String, Duration> startTimes = new LinkedHashMap<>();

    private ContainerServers() {
        postgres = new PostgreSQLContainer(image("postgres", "postgres:15", "postgres"))
                .withUsername("postgres")
                .withPassword("postgres")
                .withDatabaseName("postgres")
                // as the local server: room for every pool of a test JVM
                .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300")
                .withCopyToContainer(Transferable.of(databasesSql()), "/docker-entrypoint-initdb.d/10-tollgate.sql")
                .withLabel(OWNER_LABEL, "tests")
                .withLabel(PID_LABEL, PID);
        redis = new GenericContainer<>(image("redis", "redis:7", "redis"))
                .withExposedPorts(6379)
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1))
                .withLabel(OWNER_LABEL, "tests")
                .withLabel(PID_LABEL, PID);
        kafka = new KafkaContainer(image("kafka", "kafka:4.3.1", "apache/kafka"))
                .withEnv("KAFKA_NUM_PARTITIONS", "3")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
                .withLabel(OWNER_LABEL, "tests")
                .withLabel(PID_LABEL, PID);
    }

    /** Starts the three containers unless this JVM already did, and sets the properties the services read. */
    public static synchronized ContainerServers startOnce() {
        if (started == null) {
            ContainerServers servers = new ContainerServers();
            servers.start();
            started = servers;
            Runtime.getRuntime().addShutdownHook(new Thread(servers::stopAll, "tollgate-containers-stop"));
        }
        return started;
    }

    /** The containers of this JVM, or null in local mode. */
    public static synchronized ContainerServers current() {
        return started;
    }

    public PostgreSQLContainer postgres() {
        return postgres;
    }

    public GenericContainer<?> redis() {
        return redis;
    }

    public KafkaContainer kafka() {
        return kafka;
    }

    // localhost/tollgate/<tag>, or TOLLGATE_IMAGE_<NAME> when set, standing in for the official image
    private static DockerImageName image(String name, String tag, String official) {
        String configured = System.getenv("TOLLGATE_IMAGE_" + name.toUpperCase(Locale.ROOT));
        String reference = configured == null || configured.isBlank() ? "localhost/tollgate/" + tag : configured;
        return DockerImageName.parse(reference).asCompatibleSubstituteFor(official);
    }

    private static String databasesSql() {
        StringBuilder sql = new StringBuilder();
        for (String name : DATABASES) {
            sql.append("CREATE ROLE ").append(name).append(" LOGIN PASSWORD '").append(name).append("';\n");
            sql.append("CREATE DATABASE ").append(name).append(" OWNER ").append(name).append(" ENCODING 'UTF8';\n");
        }
        return sql.toString();
    }

    private void start() {
        List<Thread> starters = new ArrayList<>();
        List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        for (GenericContainer<?> container : List.of(postgres, redis, kafka)) {
            Thread starter = Thread.ofPlatform().name("start-" + container.getDockerImageName()).start(() -> {
                long began = System.nanoTime();
                try {
                    container.start();
                    synchronized (startTimes) {
                        startTimes.put(container.getDockerImageName(), Duration.ofNanos(System.nanoTime() - began));
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            });
            starters.add(starter);
        }
        for (Thread starter : starters) {
            try {
                starter.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (!failures.isEmpty()) {
            stopAll();
            IllegalStateException failure = new IllegalStateException("the test containers did not start "
                    + "(TOLLGATE_INFRA=containers; build the images with ./tollgate images)", failures.getFirst());
            failures.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
        createTopics();
        publish();
        System.out.println("[tollgate] test servers in containers: postgres " + postgres.getHost() + ":"
                + postgres.getMappedPort(5432) + ", redis " + redis.getHost() + ":" + redis.getMappedPort(6379)
                + ", kafka " + kafka.getBootstrapServers() + " (started in " + startTimes + ")");
    }

    private void createTopics() {
        for (String topic : TOPICS) {
            exec(kafka, "kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--create", "--if-not-exists",
                    "--topic", topic, "--partitions", "3", "--replication-factor", "1");
        }
    }

    // System properties outrank the environment and application.properties, so every Quarkus
    // application this JVM starts, and every helper reading them, talks to the containers.
    private void publish() {
        System.setProperty("tollgate.pg.host", postgres.getHost());
        System.setProperty("tollgate.pg.port", String.valueOf(postgres.getMappedPort(5432)));
        System.setProperty("tollgate.redis.host", redis.getHost());
        System.setProperty("tollgate.redis.port", String.valueOf(redis.getMappedPort(6379)));
        String bootstrap = kafka.getBootstrapServers();
        System.setProperty("tollgate.kafka.host", bootstrap.substring(0, bootstrap.lastIndexOf(':')));
        System.setProperty("tollgate.kafka.port", bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        System.setProperty("tollgate.containers.postgres", postgres.getContainerId());
        System.setProperty("tollgate.containers.redis", redis.getContainerId());
        System.setProperty("tollgate.containers.kafka", kafka.getContainerId());
    }

    /** The container of {@code server} (postgres, redis or kafka) in this JVM, or null in local mode. */
    public static String containerId(String server) {
        return System.getProperty("tollgate.containers." + server);
    }

    /**
     * Stops one server as the local script would; its data stays. Works from any class loader (a
     * Quarkus test runs in its own): the container is found by the id this JVM published.
     */
    public static void stop(String server) {
        DockerClientFactory.instance().client().stopContainerCmd(requireId(server)).withTimeout(10).exec();
    }

    /** Starts a stopped server again (on the same published port) and waits until it serves. */
    public static void start(String server) {
        String id = requireId(server);
        DockerClient client = DockerClientFactory.instance().client();
        client.startContainerCmd(id).exec();
        String[] probe = switch (server) {
            case "postgres" -> new String[] {"pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres"};
            case "redis" -> new String[] {"redis-cli", "ping"};
            default -> new String[] {"kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--list"};
        };
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (exitCode(client, id, probe) != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(server + " did not serve again within 90 s");
            }
            sleepBriefly();
        }
    }

    private static String requireId(String server) {
        String id = containerId(server);
        if (id == null) {
            throw new IllegalStateException("no " + server + " container in this JVM");
        }
        return id;
    }

    private static long exitCode(DockerClient client, String id, String... command) {
        try {
            String exec = client.execCreateCmd(id).withCmd(command).withAttachStdout(true).withAttachStderr(true)
                    .exec().getId();
            client.execStartCmd(exec).exec(new ResultCallback.Adapter<>()).awaitCompletion(30, TimeUnit.SECONDS);
            Long code = client.inspectExecCmd(exec).exec().getExitCodeLong();
            return code == null ? -1 : code;
        } catch (RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void exec(GenericContainer<?> container, String... command) {
        Container.ExecResult result = execQuietly(container, command);
        if (result == null || result.getExitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed in " + container.getDockerImageName()
                    + (result == null ? "" : ": " + result.getStderr()));
        }
    }

    private static Container.ExecResult execQuietly(GenericContainer<?> container, String... command) {
        try {
            return container.execInContainer(command);
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stopAll() {
        for (GenericContainer<?> container : List.of(kafka, redis, postgres)) {
            try {
                container.stop();
            } catch (RuntimeException ignored) {
                // the JVM is leaving; images.sh clean removes what is left by its label
            }
        }
    }
}
