package io.tollgate.proxy.ports;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Smart bulk creation: up to 50 ports of one kind in one country, spread over the devices so that
 * none ends up holding more than three ports (the soft limit under which a device keeps its speed),
 * run as a process the user watches and may cancel. The request is answered at once; the ports are
 * made one by one, each in a transaction that also counts it in the process row, under the
 * process's lease. A worker that dies leaves its lease to lapse and another instance (or this one)
 * carries on from the next item, so an item is neither made twice nor lost. A cancel locks the
 * row, so it lands between two items: the ports made before it stay, no later one is made.
 */
@ApplicationScoped
public class SmartBulk {

    private static final Logger LOG = Logger.getLogger(SmartBulk.class);

    /** The most ports a smart bulk creation leaves on one device (counting those already there). */
    public static final int PER_DEVICE = 3;
    public static final int MAX_ITEMS = 50;
    public static final Set<String> STATUSES = Set.of(BulkProcess.RUNNING, BulkProcess.COMPLETED, BulkProcess.FAILED,
            BulkProcess.CANCELLED);
    /** Fault point for tests: an item fails after its port was placed, before it is counted (the worker stops there). */
    public static final String FAULT_ITEM = "proxy.smart-bulk.item";

    /** What a smart bulk creation can make now: the free places on light devices, bounded by the free slots and 50. */
    public record MaxAvailable(String countryId, boolean isPrivate, boolean exclusive, int perDevice, long devices, long devicePlaces,
                               int freeSlots, int maxAvailable) {
    }

    private enum Step { MORE, STOP }

    private final PortService ports;
    private final PortRepository portRows;
    private final ProcessRepository processes;
    private final Faults faults;
    private final Clock clock;
    private final Duration lease;

    public SmartBulk(PortService ports, PortRepository portRows, ProcessRepository processes, Faults faults, Clock clock,
                     @ConfigProperty(name = "tollgate.proxy.processes.lease", defaultValue = "PT30S") Duration lease) {
        this.ports = ports;
        this.portRows = portRows;
        this.processes = processes;
        this.faults = faults;
        this.clock = clock;
        this.lease = lease;
    }

    public Uni<MaxAvailable> maxAvailable(Owner owner, String country, UUID cityId, UUID carrierId, boolean isPrivate, boolean exclusive) {
        return portRows.capacity(country, cityId, carrierId, isPrivate, exclusive, PER_DEVICE)
                .chain(capacity -> portRows.slots(owner, isPrivate).map(slots -> {
                    int free = Math.max(0, slots.limit() - slots.held());
                    int max = (int) Math.min(MAX_ITEMS, Math.min(free, capacity.places()));
                    return new MaxAvailable(country, isPrivate, exclusive, PER_DEVICE, capacity.devices(), capacity.places(), free, max);
                }));
    }

    /**
     * Starts a process of {@code count} ports in {@code tx} (where an Idempotency-Key's answer commits
     * too). It takes the user's creation turn; with no free slot (409 {@code SLOT_LIMIT_EXCEEDED}) or
     * no light device (400 {@code NO_DEVICE_AVAILABLE}) nothing starts and the turn is given back.
     * More than what is available is accepted: the rest is failed item by item, as bulk creation does.
     */
    public Uni<BulkProcess> start(SqlClient tx, Owner owner, PortService.NewPort port, int count) {
        return ports.located(tx, port)
                .chain(() -> maxAvailable(owner, port.country(), port.cityId(), port.carrierId(), port.isPrivate(), port.exclusive()))
                .chain(available -> {
                    if (available.freeSlots() == 0) {
                        throw ProblemException.conflict("SLOT_LIMIT_EXCEEDED", "All your " + PortService.kind(port.isPrivate())
                                + " port slots are in use; buy more or delete a port.").with("is_private", port.isPrivate());
                    }
                    if (available.devicePlaces() == 0) {
                        throw ProblemException.badRequest("NO_DEVICE_AVAILABLE", "No device in " + port.country()
                                + " of this kind holds fewer than " + PER_DEVICE + " ports now; try another location or later.");
                    }
                    return ports.claimCreation(owner).chain(claim -> processes.countryName(port.country()).chain(name -> {
                        BulkProcess p = new BulkProcess(Ids.next(), owner.userId(), owner.tenantId(), BulkProcess.PORT_CREATION,
                                BulkProcess.RUNNING, "Creating " + count + " " + plural(count) + " in " + name, request(port, count),
                                new JsonObject().put("country_id", port.country()).put("country_name", name)
                                        .put("is_private", port.isPrivate()).put("per_device", PER_DEVICE)
                                        .put("max_available", available.maxAvailable()),
                                count, 0, 0, null, null, clock.instant(), null, clock.instant());
                        return processes.insert(tx, p).replaceWith(p);
                    }).onFailure().call(() -> ports.release(claim)));
                });
    }

    /** Works the process in the background, on this instance, if nobody holds it. */
    public void kick(UUID id) {
        run(id).subscribe().with(done -> { }, e -> LOG.warnf("process %s: its worker stopped (%s); another claim carries on after %s",
                id, e.toString(), lease));
    }

    /** Claims the process and makes its remaining items; nothing when another worker holds it or it has ended. */
    public Uni<Void> run(UUID id) {
        UUID mine = Ids.next();
        return processes.claim(id, mine, lease).chain(found -> found.map(p -> items(p, mine))
                .orElseGet(() -> Uni.createFrom().voidItem()));
    }

    /** Running processes whose worker is gone (or that never got one) are taken up again. */
    @Scheduled(every = "${tollgate.proxy.processes.sweep:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return processes.claimable(10).chain(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> run(id).onFailure().recoverWithItem(e -> {
                    LOG.warnf("process %s: its worker stopped (%s); tried again after %s", id, e.toString(), lease);
                    return null;
                }))
                .collect().asList()).replaceWithVoid();
    }

    private Uni<Void> items(BulkProcess p, UUID mine) {
        Owner owner = new Owner(p.userId(), p.tenantId());
        PortService.NewPort port = newPort(p.request());
        return item(p, mine, owner, port).chain(step -> step == Step.MORE ? items(p, mine) : Uni.createFrom().voidItem());
    }

    /** One step: the next item made (or failed, with its reason), or the process finished. */
    private Uni<Step> item(BulkProcess p, UUID mine, Owner owner, PortService.NewPort port) {
        return processes.pool().withTransaction(tx -> processes.held(tx, p.id(), mine).chain(found -> {
            Optional<ProcessRepository.Progress> at = found.filter(progress -> BulkProcess.RUNNING.equals(progress.status()));
            if (at.isEmpty()) {
                return Uni.createFrom().item(Step.STOP);
            }
            if (at.get().next() >= at.get().total()) {
                return finish(tx, p, at.get()).replaceWith(Step.STOP);
            }
            int index = at.get().next();
            return ports.placeOnLightDevice(tx, owner, port, PER_DEVICE)
                    .call(() -> faults.at(FAULT_ITEM))
                    .chain(made -> processes.made(tx, p.id(), new JsonObject().put("index", index).put("id", made.id().toString())
                            .put("name", made.name()).put("http_port", made.httpPort()).put("socks_port", made.socksPort())
                            .put("device_id", made.deviceId().toString()), lease))
                    .replaceWith(Step.MORE);
        })).onFailure(ProblemException.class).recoverWithUni(e -> failed(p, mine, (ProblemException) e));
    }

    /** Counts the next item as failed, in a transaction of its own (the one that tried it rolled back). */
    private Uni<Step> failed(BulkProcess p, UUID mine, ProblemException e) {
        return processes.pool().withTransaction(tx -> processes.held(tx, p.id(), mine).chain(found -> {
            if (found.isEmpty() || !BulkProcess.RUNNING.equals(found.get().status()) || found.get().next() >= found.get().total()) {
                return Uni.createFrom().item(Step.STOP);
            }
            return processes.itemFailed(tx, p.id(), new JsonObject().put("index", found.get().next()).put("code", e.code())
                    .put("error", e.getMessage()), lease).replaceWith(Step.MORE);
        }));
    }

    private Uni<Boolean> finish(SqlClient tx, BulkProcess p, ProcessRepository.Progress at) {
        String country = p.metadata().getString("country_name", p.request().getString("country_id"));
        return at.completed() == 0
                ? processes.finish(tx, p.id(), BulkProcess.FAILED, "No port could be created in " + country)
                : processes.finish(tx, p.id(), BulkProcess.COMPLETED, "Created " + at.completed() + " of " + at.total() + " "
                        + plural(at.total()) + " in " + country);
    }

    /** Stops a running process between two items; the ports already made stay. 409 {@code ALREADY_COMPLETED} once it ended. */
    public Uni<BulkProcess> cancel(Owner owner, UUID id) {
        return processes.pool().withTransaction(tx -> processes.owned(tx, owner, id, true).chain(found -> {
            BulkProcess p = found.orElseThrow(() -> ProblemException.notFound("process"));
            if (!BulkProcess.RUNNING.equals(p.status())) {
                throw ProblemException.conflict("ALREADY_COMPLETED", "The process has " + p.status() + "; there is nothing to cancel.")
                        .with("status", p.status());
            }
            return processes.finish(tx, id, BulkProcess.CANCELLED, "Cancelled after " + p.completed() + " of " + p.total() + " "
                            + plural(p.total()) + " (" + p.failed() + " failed)")
                    .chain(() -> processes.owned(tx, owner, id, false)).map(Optional::orElseThrow);
        }));
    }

    public Uni<BulkProcess> get(Owner owner, UUID id) {
        return processes.owned(processes.pool(), owner, id, false).map(found -> found.orElseThrow(() -> ProblemException.notFound("process")));
    }

    public Uni<Page<BulkProcess>> list(Owner owner, String status, PageRequest page) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be one of running, completed, failed, cancelled");
        }
        return processes.page(owner, status, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    private static JsonObject request(PortService.NewPort port, int count) {
        return new JsonObject().put("country_id", port.country())
                .put("city_id", port.cityId() == null ? null : port.cityId().toString())
                .put("carrier_id", port.carrierId() == null ? null : port.carrierId().toString())
                .put("exclusive", port.exclusive()).put("expires_in", port.expiresIn()).put("os_fingerprint", port.osFingerprint())
                .put("is_private", port.isPrivate()).put("count", count);
    }

    private static PortService.NewPort newPort(JsonObject r) {
        return new PortService.NewPort(r.getString("country_id"), uuid(r.getString("city_id")), uuid(r.getString("carrier_id")),
                r.getBoolean("exclusive", false), r.getLong("expires_in"), r.getString("os_fingerprint"), r.getBoolean("is_private", false));
    }

    private static UUID uuid(String s) {
        return s == null ? null : UUID.fromString(s);
    }

    private static String plural(int n) {
        return n == 1 ? "port" : "ports";
    }
}
