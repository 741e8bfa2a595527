package io.tollgate.proxy.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A fleet of simulated devices with their agents: each device has its own loopback address and a
 * real tunnel on it (what the data plane forwards through), registers at proxy-svc's device-agent
 * API with a service token and heartbeats its state. Its control API ({@code /devices}) lists the
 * fleet and takes the commands a real agent takes (reset-ip: airplane mode, a new address after
 * {@code resetDelay}) and those a test or a person gives (offline, online).
 */
public final class DeviceSimulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeviceSimulator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, SimulatedDevice> devices = new LinkedHashMap<>();
    private final Set<String> addresses = new HashSet<>();
    private final Supplier<String> proxyUrl;
    private final Supplier<String> token;
    private final Duration heartbeat;
    private final Duration resetDelay;
    private final int controlPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("device-simulator").factory());
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private HttpServer control;

    /**
     * @param proxyUrl where proxy-svc listens (read at each call: the port may be known only once it is up)
     * @param token    a service token of a device-agent client
     */
    public DeviceSimulator(List<SimulatedDevice.Spec> fleet, Supplier<String> proxyUrl, Supplier<String> token, int controlPort,
                           Duration heartbeat, Duration resetDelay) {
        this.proxyUrl = proxyUrl;
        this.token = token;
        this.controlPort = controlPort;
        this.heartbeat = heartbeat;
        this.resetDelay = resetDelay;
        int i = 0;
        for (SimulatedDevice.Spec spec : fleet) {
            InetAddress address = loopback(77, i / 250, i % 250 + 1);
            addresses.add(address.getHostAddress());
            devices.put(spec.imei(), new SimulatedDevice(spec, address));
            i++;
        }
    }

    /**
     * The fleet ./tollgate up and the tests run: 36 devices in four countries, two cities and three
     * carriers each, every third one a modem and the last of each carrier private.
     */
    public static List<SimulatedDevice.Spec> fleet(String imeiPrefix) {
        record Place(String country, String[] cities, String[][] carriers) {
        }
        List<Place> places = List.of(
                new Place("US", new String[] {"New York", "Los Angeles"}, new String[][] {{"T-Mobile", "310", "260"},
                        {"Verizon", "311", "480"}, {"AT&T", "310", "410"}}),
                new Place("DE", new String[] {"Berlin", "Munich"}, new String[][] {{"Telekom", "262", "01"},
                        {"Vodafone", "262", "02"}, {"O2", "262", "03"}}),
                new Place("GB", new String[] {"London", "Manchester"}, new String[][] {{"EE", "234", "30"},
                        {"Vodafone UK", "234", "15"}, {"Three", "234", "20"}}),
                new Place("FR", new String[] {"Paris", "Lyon"}, new String[][] {{"Orange", "208", "01"},
                        {"SFR", "208", "10"}, {"Bouygues", "208", "20"}}));
        List<SimulatedDevice.Spec> fleet = new ArrayList<>();
        int n = 0;
        for (Place place : places) {
            for (String[] carrier : place.carriers()) {
                for (int k = 0; k < 3; k++) {
                    String city = place.cities()[k % 2];
                    String imei = imeiPrefix + String.format("%010d", n);
                    boolean modem = n % 3 == 2;
                    fleet.add(new SimulatedDevice.Spec(imei.substring(0, 15), modem ? "modem" : "phone",
                            place.country() + " " + carrier[0] + " " + (modem ? "modem" : "phone") + " " + (k + 1), place.country(), city,
                            carrier[0], carrier[0], carrier[1], carrier[2], k == 2));
                    n++;
                }
            }
        }
        return fleet;
    }

    public synchronized void start() throws IOException {
        try {
            control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort), 32);
        } catch (BindException e) {
            // another fleet (./tollgate up beside a test run) has the port; agents name the one taken instead
            LOG.warnf("device simulator: control port %d is taken; using a free one", controlPort);
            control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        }
        control.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        control.createContext("/devices", this::control);
        control.start();
        for (SimulatedDevice device : devices.values()) {
            device.up(InetAddress.getByName(device.address()));
        }
        timer.scheduleWithFixedDelay(this::tick, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("device simulator: %d devices, control API at http://127.0.0.1:%d/devices", devices.size(),
                control.getAddress().getPort());
    }

    /** Completes once every device has registered at least once. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    public List<SimulatedDevice> devices() {
        return List.copyOf(devices.values());
    }

    public Optional<SimulatedDevice> device(String imei) {
        return Optional.ofNullable(devices.get(imei));
    }

    public int controlPort() {
        return control.getAddress().getPort();
    }

    public String agentUrl(SimulatedDevice device) {
        return "http://127.0.0.1:" + controlPort() + "/devices/" + device.spec().imei();
    }

    /**
     * A device joins the running fleet on an address of its own, and registers on the next beat
     * (the future completes once proxy-svc has it). Tests add devices of their own so that what they
     * count is not changed by the ports other tests left on the shared fleet.
     */
    public CompletableFuture<SimulatedDevice> add(SimulatedDevice.Spec spec) {
        return CompletableFuture.supplyAsync(() -> {
            // on the timer's thread, which alone walks the devices
            SimulatedDevice device = new SimulatedDevice(spec, freshAddress(null));
            try {
                device.up(InetAddress.getByName(device.address()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            devices.put(spec.imei(), device);
            report(device);
            return device;
        }, timer).thenCompose(device -> device.registered ? CompletableFuture.completedFuture(device)
                : CompletableFuture.supplyAsync(() -> {
                    report(device);
                    if (!device.registered) {
                        throw new IllegalStateException("proxy-svc did not register device " + spec.imei());
                    }
                    return device;
                }, timer));
    }

    /** The device goes dark: its tunnel closes and its agent says so once, then stays silent. */
    public CompletableFuture<Void> offline(String imei) {
        SimulatedDevice device = devices.get(imei);
        device.down();
        return CompletableFuture.runAsync(() -> report(device), timer);
    }

    /** The device is back, on the address it had. */
    public CompletableFuture<Void> online(String imei) {
        SimulatedDevice device = devices.get(imei);
        return CompletableFuture.runAsync(() -> {
            try {
                device.up(InetAddress.getByName(device.address()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            report(device);
        }, timer);
    }

    /** Airplane mode: the device drops off now and comes back on a new address after the reset delay. */
    public CompletableFuture<String> resetIp(String imei) {
        SimulatedDevice device = devices.get(imei);
        device.down();
        CompletableFuture<String> done = new CompletableFuture<>();
        timer.execute(() -> report(device));
        timer.schedule(() -> {
            try {
                InetAddress next = freshAddress(device.address());
                device.up(next);
                report(device);
                done.complete(next.getHostAddress());
            } catch (RuntimeException | IOException e) {
                done.completeExceptionally(e);
            }
        }, resetDelay.toMillis(), TimeUnit.MILLISECONDS);
        return done;
    }

    private synchronized InetAddress freshAddress(String old) {
        while (true) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            InetAddress candidate = loopback(78 + random.nextInt(40), random.nextInt(256), 1 + random.nextInt(254));
            if (addresses.add(candidate.getHostAddress())) {
                addresses.remove(old);
                return candidate;
            }
        }
    }

    private void tick() {
        boolean all = true;
        for (SimulatedDevice device : devices.values()) {
            if (device.online() || !device.registered) {
                report(device);
            }
            all &= device.registered;
        }
        if (all) {
            ready.complete(null);
        }
    }

    /** Registers the device if proxy-svc does not know it yet, else heartbeats its state. */
    private synchronized void report(SimulatedDevice device) {
        try {
            if (!device.registered && device.online()) {
                int status = post("/internal/devices/register", registration(device));
                device.registered = status == 200;
                if (status / 100 == 4) {
                    LOG.warnf("device %s: proxy-svc refused its registration (%d)", device.spec().imei(), status);
                }
                return;
            }
            ObjectNode beat = JSON.createObjectNode().put("online", device.online()).put("public_ip", device.address());
            if (device.online()) {
                beat.put("tunnel_port", device.tunnelPort()).put("agent_url", agentUrl(device));
            }
            int status = post("/internal/devices/" + device.spec().imei() + "/heartbeat", beat);
            if (status == 404) {
                device.registered = false;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("device %s: proxy-svc not reached (%s)", device.spec().imei(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode registration(SimulatedDevice device) {
        SimulatedDevice.Spec s = device.spec();
        return JSON.createObjectNode().put("imei", s.imei()).put("type", s.type()).put("name", s.name()).put("country", s.country())
                .put("city", s.city()).put("carrier", s.carrier()).put("brand", s.brand()).put("mcc", s.mcc()).put("mnc", s.mnc())
                .put("is_private", s.isPrivate()).put("public_ip", device.address()).put("tunnel_port", device.tunnelPort())
                .put("agent_url", agentUrl(device));
    }

    private int post(String path, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(proxyUrl.get() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token.get()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void control(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] path = exchange.getRequestURI().getPath().split("/");
            if (path.length == 2 && exchange.getRequestMethod().equals("GET")) {
                ArrayNode list = JSON.createArrayNode();
                devices.values().forEach(d -> list.addObject().put("imei", d.spec().imei()).put("name", d.spec().name())
                        .put("country", d.spec().country()).put("city", d.spec().city()).put("carrier", d.spec().carrier())
                        .put("is_private", d.spec().isPrivate()).put("online", d.online()).put("address", d.address())
                        .put("tunnel_port", d.tunnelPort()));
                send(exchange, 200, list.toString());
                return;
            }
            SimulatedDevice device = path.length == 4 ? devices.get(path[2]) : null;
            if (device == null || !exchange.getRequestMethod().equals("POST")) {
                send(exchange, 404, "{\"error\": \"no such device or command\"}");
                return;
            }
            String before = device.address();
            switch (path[3]) {
                case "reset-ip" -> resetIp(device.spec().imei());
                case "offline" -> offline(device.spec().imei());
                case "online" -> online(device.spec().imei());
                default -> {
                    send(exchange, 404, "{\"error\": \"no such command\"}");
                    return;
                }
            }
            send(exchange, 202, JSON.createObjectNode().put("imei", device.spec().imei()).put("command", path[3])
                    .put("address_before", before).toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static InetAddress loopback(int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        devices.values().forEach(SimulatedDevice::down);
        if (control != null) {
            control.stop(0);
        }
    }
}
