package io.tollgate.proxy.devices;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Servers and devices: what administrators set up, and what device agents report (registration
 * and heartbeats). A device agent's registration makes the device known by its IMEI; administrators
 * may create it ahead, change its status and remove it once no port uses it.
 */
@ApplicationScoped
public class DeviceService {

    public static final Set<String> DEVICE_STATUSES = Set.of("active", "inactive", "maintenance", "disabled");
    public static final Set<String> SERVER_STATUSES = Set.of("active", "inactive", "maintenance");

    /** A device as an administrator or agent describes it: location by names, resolved here. */
    public record DeviceSpec(UUID serverId, String serverName, String type, String name, String imei, String status,
                             String countryCode, String city, String carrier, String brand, String mcc, String mnc,
                             boolean isPrivate, Integer maxPorts) {
    }

    private final DeviceRepository repository;
    private final String nodeName;
    private final String nodeIp;
    private final String nodeHttpPorts;
    private final String nodeSocksPorts;

    public DeviceService(DeviceRepository repository,
                         @ConfigProperty(name = "tollgate.proxy.node.name", defaultValue = "node-1") String nodeName,
                         @ConfigProperty(name = "tollgate.proxy.node.ip", defaultValue = "127.0.0.1") String nodeIp,
                         @ConfigProperty(name = "tollgate.proxy.node.http-ports", defaultValue = "20000-20999") String nodeHttpPorts,
                         @ConfigProperty(name = "tollgate.proxy.node.socks-ports", defaultValue = "30000-30999") String nodeSocksPorts) {
        this.repository = repository;
        this.nodeName = nodeName;
        this.nodeIp = nodeIp;
        this.nodeHttpPorts = nodeHttpPorts;
        this.nodeSocksPorts = nodeSocksPorts;
    }

    /** The node this instance is exists as a server from the start, as configured. */
    void start(@Observes StartupEvent event) {
        int[] http = range("tollgate.proxy.node.http-ports", nodeHttpPorts);
        int[] socks = range("tollgate.proxy.node.socks-ports", nodeSocksPorts);
        repository.insertServer(new Server(Ids.next(), nodeName, nodeIp, http[0], http[1], socks[0], socks[1], 100, 50, 3, 5, "active",
                null, null)).await().indefinitely();
    }

    private static int[] range(String key, String value) {
        String[] parts = value.split("-");
        try {
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        } catch (RuntimeException e) {
            throw new IllegalStateException(key + " must be <first>-<last>, e.g. 20000-20999");
        }
    }

    // servers

    public Uni<Server> createServer(Server s) {
        checkRanges(s);
        return repository.insertServer(s).map(made -> made.orElseThrow(() ->
                ProblemException.conflict("SERVER_NAME_TAKEN", "A server named " + s.name() + " exists already.")));
    }

    public Uni<Server> server(UUID id) {
        return repository.server(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("server")));
    }

    public Uni<Page<Server>> servers(PageRequest page) {
        return repository.servers(page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    public Uni<Server> updateServer(Server s) {
        checkRanges(s);
        return repository.updateServer(s).map(found -> found.orElseThrow(() -> ProblemException.notFound("server")));
    }

    public Uni<Void> deleteServer(UUID id) {
        return server(id).chain(() -> repository.deleteServer(id)).map(deleted -> {
            if (!deleted) {
                throw ProblemException.conflict("SERVER_IN_USE", "Devices are attached to this server; move or remove them first.");
            }
            return null;
        });
    }

    private static void checkRanges(Server s) {
        if (s.httpPortEnd() < s.httpPortStart()) {
            throw ProblemException.validation("http_port_range.end", "must not be below start");
        }
        if (s.socksPortEnd() < s.socksPortStart()) {
            throw ProblemException.validation("socks_port_range.end", "must not be below start");
        }
        if (s.maxPortsPerDevice() < s.softMaxPortsPerDevice()) {
            throw ProblemException.validation("max_ports_per_device", "must not be below soft_max_ports_per_device");
        }
        boolean overlap = s.httpPortStart() <= s.socksPortEnd() && s.socksPortStart() <= s.httpPortEnd();
        if (overlap) {
            throw ProblemException.validation("socks_port_range", "must not overlap http_port_range");
        }
    }

    // devices

    public Uni<Device> createDevice(DeviceSpec spec) {
        UUID id = Ids.next();
        return resolve(spec).chain(fields -> repository.pool().withTransaction(tx -> locate(tx, spec, fields)
                        .chain(located -> repository.insertDevice(tx, id, located))))
                .chain(inserted -> {
                    if (!inserted) {
                        throw ProblemException.conflict("IMEI_TAKEN", "A device with this IMEI exists already.");
                    }
                    return device(id);
                });
    }

    public Uni<Device> updateDevice(UUID id, DeviceSpec spec) {
        return device(id).chain(existing -> {
            DeviceSpec merged = new DeviceSpec(existing.serverId(), null, spec.type() == null ? existing.type() : spec.type(),
                    spec.name() == null ? existing.name() : spec.name(), existing.imei(),
                    spec.status() == null ? existing.status() : spec.status(),
                    spec.countryCode() == null ? existing.countryCode() : spec.countryCode(),
                    spec.city() == null && spec.countryCode() == null ? existing.city() : spec.city(),
                    spec.carrier() == null && spec.countryCode() == null ? existing.carrier() : spec.carrier(),
                    spec.brand(), spec.mcc(), spec.mnc(), spec.isPrivate(), spec.maxPorts() == null ? existing.maxPorts() : spec.maxPorts());
            if (merged.isPrivate() != existing.isPrivate() && existing.livePorts() > 0) {
                throw ProblemException.conflict("DEVICE_IN_USE", "Ports run on this device; it cannot change between pool and private now.");
            }
            return resolve(merged).chain(fields -> repository.pool().withTransaction(tx -> locate(tx, merged, fields)
                    .chain(located -> repository.updateDevice(tx, id, located)))).chain(() -> device(id));
        });
    }

    public Uni<Device> device(UUID id) {
        return repository.device(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("device")));
    }

    public Uni<Page<Device>> devices(String country, String status, Boolean online, PageRequest page) {
        if (status != null && !DEVICE_STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be one of active, inactive, maintenance, disabled");
        }
        return repository.devices(country, status, online, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    public Uni<Void> deleteDevice(UUID id) {
        return device(id).chain(() -> repository.deleteDevice(id)).map(deleted -> {
            if (!deleted) {
                throw ProblemException.conflict("DEVICE_IN_USE", "Ports ran on this device; disable it instead.");
            }
            return null;
        });
    }

    /** A device agent says it is up: the device is made or updated from what it reports, online now. */
    public Uni<Device> register(DeviceSpec spec, DeviceRepository.Report report) {
        return resolve(spec).chain(fields -> repository.pool().withTransaction(tx -> locate(tx, spec, fields)
                        .chain(located -> repository.register(tx, located, report))))
                .chain(this::device);
    }

    /** A heartbeat of a known device; 404 DEVICE_UNKNOWN tells the agent to register again. */
    public Uni<UUID> heartbeat(String imei, DeviceRepository.Report report) {
        return repository.heartbeat(imei, report).map(found -> found.orElseThrow(() ->
                new ProblemException(404, "DEVICE_UNKNOWN", "Not found", "No device has this IMEI; register it first.")));
    }

    /** The server and country checked; city and carrier resolved in the transaction by {@link #locate}. */
    private Uni<DeviceRepository.DeviceFields> resolve(DeviceSpec spec) {
        Uni<UUID> server = spec.serverId() != null
                ? repository.server(spec.serverId()).map(found -> found.map(Server::id).orElseThrow(() ->
                        ProblemException.validation("server_id", "is not a server")))
                : repository.serverNamed(spec.serverName() == null ? nodeName : spec.serverName()).map(found -> found.map(Server::id)
                        .orElseThrow(() -> ProblemException.validation("server", "is not a server")));
        return server.chain(serverId -> repository.countryExists(spec.countryCode()).map(known -> {
            if (!known) {
                throw ProblemException.validation("country_id", "is not a country we list");
            }
            return new DeviceRepository.DeviceFields(serverId, spec.type(), spec.name(), spec.imei(),
                    spec.status() == null ? "active" : spec.status(), spec.countryCode(), null, null, spec.isPrivate(), spec.maxPorts());
        }));
    }

    private Uni<DeviceRepository.DeviceFields> locate(io.vertx.mutiny.sqlclient.SqlClient tx, DeviceSpec spec,
                                                      DeviceRepository.DeviceFields f) {
        Uni<UUID> city = spec.city() == null ? Uni.createFrom().nullItem() : repository.city(tx, f.countryCode(), spec.city());
        return city.chain(cityId -> (spec.carrier() == null ? Uni.createFrom().<UUID>nullItem()
                        : repository.carrier(tx, f.countryCode(), spec.carrier(), spec.brand(), spec.mcc(), spec.mnc()))
                .map(carrierId -> new DeviceRepository.DeviceFields(f.serverId(), f.type(), f.name(), f.imei(), f.status(),
                        f.countryCode(), cityId, carrierId, f.isPrivate(), f.maxPorts())));
    }

    /** How long a device has been up, or null while it is offline. */
    public static Long uptimeSeconds(Device d, Instant now) {
        return d.online() && d.onlineSince() != null ? Math.max(0, now.getEpochSecond() - d.onlineSince().getEpochSecond()) : null;
    }
}
