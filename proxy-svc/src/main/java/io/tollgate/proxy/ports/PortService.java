package io.tollgate.proxy.ports;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.proxy.PortCreated;
import io.tollgate.contracts.proxy.PortDeleted;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.tollgate.proxy.devices.DeviceCommands;
import io.tollgate.proxy.devices.DeviceRepository;
import io.tollgate.proxy.inventory.InventoryRepository;
import io.tollgate.proxy.limits.Cooldowns;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Creating, reading and ending a user's ports. A creation takes one of the user's slots of its
 * kind (billing's entitlements; the user's entitlement row is locked, so racing creations never
 * exceed it) and a place on a fitting device, opens its port numbers on the device's server and
 * writes {@code port.created}, all in one transaction; a user may create one port every 20 s.
 */
@ApplicationScoped
public class PortService {

    public static final Set<String> STATUSES = Set.of(Port.ACTIVE, Port.SUSPENDED, Port.EXPIRED);

    /** A port as asked for: the seed's CreatePortDto. */
    public record NewPort(String country, UUID cityId, UUID carrierId, boolean exclusive, long expiresIn, String osFingerprint,
                          boolean isPrivate) {
    }

    /** A device place found (or not), and whether the user's traffic of the kind is spent. */
    private record Placed(Optional<PortRepository.Placement> placement, boolean exhausted) {
    }

    private final PortRepository ports;
    private final InventoryRepository inventory;
    private final DeviceRepository devices;
    private final DeviceCommands commands;
    private final Passwords passwords;
    private final Cooldowns cooldowns;
    private final Outbox outbox;
    private final Clock clock;
    private final Duration createInterval;
    private final Duration maxLifetime;

    public PortService(PortRepository ports, InventoryRepository inventory, DeviceRepository devices, DeviceCommands commands,
                       Passwords passwords, Cooldowns cooldowns, Outbox outbox, Clock clock,
                       @ConfigProperty(name = "tollgate.proxy.limits.create-interval", defaultValue = "PT20S") Duration createInterval,
                       @ConfigProperty(name = "tollgate.proxy.ports.max-lifetime", defaultValue = "PT8760H") Duration maxLifetime) {
        this.ports = ports;
        this.inventory = inventory;
        this.devices = devices;
        this.commands = commands;
        this.passwords = passwords;
        this.cooldowns = cooldowns;
        this.outbox = outbox;
        this.clock = clock;
        this.createInterval = createInterval;
        this.maxLifetime = maxLifetime;
    }

    /** Creates a port in {@code tx}, the caller's transaction (where the Idempotency-Key's answer commits too). */
    public Uni<Port> create(SqlClient tx, Owner owner, NewPort request) {
        // every read goes through tx: a request holding a transaction never waits for a second connection
        return located(tx, request).chain(() -> claimCreation(owner))
                .chain(claim -> place(tx, owner, request)
                        .chain(id -> ports.owned(tx, owner, id, false))
                        .map(found -> found.orElseThrow(() -> ProblemException.notFound("port")))
                        .onFailure().call(() -> release(claim)));
    }

    /** What a bulk creation did: each port made, and why each other item was not. */
    public record Bulk(int total, List<Port> created, List<ItemError> errors) {
    }

    public record ItemError(int index, String code, String error) {
    }

    /**
     * Up to 50 ports in one call (one turn of the creation limit): each item is placed in its own
     * transaction (committed through {@code effects}, the Idempotency-Key's staged run), so those that
     * fit are made and the others answered with their reason. A call that makes none takes no turn.
     */
    public Uni<Bulk> createMany(Idempotency.Effects effects, Owner owner, List<NewPort> requests) {
        return claimCreation(owner).chain(claim -> Multi.createFrom().range(0, requests.size())
                .onItem().transformToUniAndConcatenate(i -> located(ports.pool(), requests.get(i))
                        .chain(() -> effects.commit(tx -> place(tx, owner, requests.get(i))))
                        .chain(id -> get(owner, id)).map(port -> (Object) port)
                        .onFailure(ProblemException.class).recoverWithItem(e -> new ItemError(i, ((ProblemException) e).code(),
                                e.getMessage())))
                .collect().asList()
                .chain(results -> {
                    List<Port> made = results.stream().filter(Port.class::isInstance).map(Port.class::cast).toList();
                    List<ItemError> errors = results.stream().filter(ItemError.class::isInstance).map(ItemError.class::cast).toList();
                    Uni<Void> giveBack = made.isEmpty() ? release(claim) : Uni.createFrom().voidItem();
                    return giveBack.replaceWith(new Bulk(requests.size(), made, errors));
                }));
    }

    /**
     * One item of a smart bulk creation, in {@code tx}: a port as {@link #create} makes it, on a
     * device that holds fewer than {@code ceiling} ports; the creation turn was taken for the whole batch.
     */
    Uni<Port> placeOnLightDevice(SqlClient tx, Owner owner, NewPort request, int ceiling) {
        return place(tx, owner, request, ceiling).chain(id -> ports.find(tx, id, false))
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("port")));
    }

    Uni<Void> located(SqlClient client, NewPort request) {
        return inventory.locationOf(client, request.country(), request.cityId(), request.carrierId()).map(known -> {
            if (!known) {
                throw ProblemException.validation(request.cityId() != null ? "city_id" : "carrier_id", "is not of country " + request.country());
            }
            return null;
        });
    }

    Uni<Cooldowns.Claim> claimCreation(Owner owner) {
        return createInterval.isZero() ? Uni.createFrom().nullItem()
                : cooldowns.claim("proxy:limit:create:" + owner.userId(), createInterval,
                        "One port may be created every " + createInterval.toSeconds() + " s.");
    }

    Uni<Void> release(Cooldowns.Claim claim) {
        return claim == null ? Uni.createFrom().voidItem() : cooldowns.release(claim);
    }

    private Uni<UUID> place(SqlClient tx, Owner owner, NewPort request) {
        return place(tx, owner, request, null);
    }

    private Uni<UUID> place(SqlClient tx, Owner owner, NewPort request, Integer ceiling) {
        UUID id = Ids.next();
        Instant now = clock.instant();
        return ports.lockSlots(tx, owner, request.isPrivate()).chain(slots -> {
            if (slots.held() >= slots.limit()) {
                throw ProblemException.conflict("SLOT_LIMIT_EXCEEDED", "All your " + slots.limit() + " " + kind(request.isPrivate())
                                + " port slot(s) are in use; buy more or delete a port.")
                        .with("limit", slots.limit()).with("held", slots.held()).with("is_private", request.isPrivate());
            }
            return ports.place(tx, request.country(), request.cityId(), request.carrierId(), request.isPrivate(), request.exclusive(),
                    List.of(), null, ceiling).map(placement -> new Placed(placement, slots.exhausted()));
        }).chain(placed -> {
            Optional<PortRepository.Placement> placement = placed.placement();
            PortRepository.Placement at = placement.orElseThrow(() -> ProblemException.badRequest("NO_DEVICE_AVAILABLE",
                    "No free device fits this country, city and carrier now; try another location or later."));
            return ports.numbers(tx, at.serverId()).map(numbers -> numbers.orElseThrow(() -> ProblemException.conflict(
                    "NO_PORT_AVAILABLE", "The server has no free port numbers now."))).chain(numbers -> ports.portsEver(tx, owner)
                    .chain(count -> {
                        String suffix = Passwords.hex(3);
                        String user = owner.userId().toString().replace("-", "").substring(0, 6);
                        String name = (request.isPrivate() ? "tg_prvt_" : "tg_") + user + "_" + suffix;
                        Port port = new Port(id, owner.userId(), owner.tenantId(), at.deviceId(), at.serverId(), name,
                                "Proxy #" + (count + 1), numbers.httpPort(), numbers.socksPort(), name,
                                passwords.seal(Passwords.generate(), id.toString()), request.isPrivate(), request.exclusive(),
                                request.osFingerprint() == null ? "" : request.osFingerprint(), request.country(), request.cityId(),
                                request.carrierId(), placed.exhausted() ? Port.SUSPENDED : Port.ACTIVE, now.plusSeconds(request.expiresIn()),
                                Passwords.hex(16), 0, null, 0, now, now, null, null, true, null, null, null);
                        return ports.insert(tx, port, placed.exhausted() ? Suspensions.EXHAUSTED : null)
                                .chain(() -> ports.find(tx, id, false));
                    }));
        }).chain(found -> {
            Port p = found.orElseThrow();
            return outbox.append(tx, p.id().toString(), "ports/" + p.id(), new PortCreated(p.userId(), p.tenantId(), p.id(), p.name(),
                    p.displayName(), p.countryCode(), p.city(), p.carrier(), p.isPrivate(), p.exclusive(), p.expiresAt(), now));
        }).replaceWith(id);
    }

    /** The caller's port; another owner's (or a deleted one) is 404. */
    public Uni<Port> get(Owner owner, UUID id) {
        return ports.owned(owner, id).map(found -> found.orElseThrow(() -> ProblemException.notFound("port")));
    }

    public Uni<Page<Port>> list(Owner owner, String status, String country, Boolean isPrivate, PageRequest page) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be one of active, expired, suspended");
        }
        if (country != null && !country.matches("^[A-Z]{2}$")) {
            throw ProblemException.validation("country_id", "must be an ISO 3166 alpha-2 code");
        }
        return ports.page(owner, status, country, isPrivate, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    /** Ends the port for good: its slot and its place on the device are free at once. */
    public Uni<Void> delete(Owner owner, UUID id) {
        Instant now = clock.instant();
        return ports.pool().withTransaction(tx -> ports.owned(tx, owner, id, true).chain(found -> {
            Port p = found.orElseThrow(() -> ProblemException.notFound("port"));
            Uni<Void> device = p.live() ? ports.releaseDevice(tx, p.deviceId(), p.exclusive()) : Uni.createFrom().voidItem();
            return device.chain(() -> ports.end(tx, id, Port.DELETED))
                    .chain(() -> outbox.append(tx, id.toString(), "ports/" + id, new PortDeleted(p.userId(), p.tenantId(), id, p.name(),
                            p.countryCode(), p.isPrivate(), now)))
                    .replaceWithVoid();
        }));
    }

    /** New credentials for a live port; the login must not be another live port's (409 LOGIN_TAKEN). */
    public Uni<Port> credentials(Owner owner, UUID id, String login, String password) {
        return ports.pool().withTransaction(tx -> ports.owned(tx, owner, id, true).chain(found -> {
                    Port p = found.orElseThrow(() -> ProblemException.notFound("port"));
                    if (!p.live()) {
                        throw ProblemException.conflict("PORT_NOT_ACTIVE", "The port has " + p.status() + "; its credentials stay as they were.");
                    }
                    return ports.credentials(tx, id, login, passwords.seal(password, id.toString()));
                }))
                .onFailure(PgException.class).transform(e -> "23505".equals(((PgException) e).getSqlState())
                        ? ProblemException.conflict("LOGIN_TAKEN", "Another port uses this login; choose another.") : e)
                .chain(() -> get(owner, id));
    }

    /**
     * How much longer a port may run: its end may move to at most {@code max-lifetime} (365 days,
     * the longest {@code expires_in} a port is made with) from now. Billing's port slots are totals
     * without an end of their own, so nothing else bounds it.
     */
    public record Extension(Instant expiresAt, long maxHoursAllowed, Instant latestExpiresAt) {
    }

    public Uni<Extension> maxExtension(Owner owner, UUID id) {
        return get(owner, id).map(p -> extension(p.expiresAt(), clock.instant()));
    }

    /**
     * Moves a live port's end {@code hours} later, within {@link Extension#maxHoursAllowed} (400
     * {@code EXTEND_LIMIT_EXCEEDED} otherwise, changing nothing). An end moved beyond the next day
     * is announced as expiring again a day before it comes.
     */
    public Uni<Extension> extend(SqlClient tx, Owner owner, UUID id, int hours) {
        Instant now = clock.instant();
        return ports.owned(tx, owner, id, true).chain(found -> {
            Port p = found.orElseThrow(() -> ProblemException.notFound("port"));
            if (!p.live() || !p.expiresAt().isAfter(now)) {
                throw ProblemException.conflict("PORT_NOT_ACTIVE", "The port has " + (p.live() ? "reached its end" : p.status())
                        + "; an ended port cannot be extended.");
            }
            Extension bound = extension(p.expiresAt(), now);
            if (hours > bound.maxHoursAllowed()) {
                throw ProblemException.badRequest("EXTEND_LIMIT_EXCEEDED", "The port may be extended by at most " + bound.maxHoursAllowed()
                                + " hour(s): a port ends at most " + maxLifetime.toHours() + " hours from now.")
                        .with("max_hours_allowed", bound.maxHoursAllowed()).with("latest_expires_at", bound.latestExpiresAt().toString());
            }
            Instant until = p.expiresAt().plus(Duration.ofHours(hours));
            return ports.extend(tx, id, until, PortExpiry.AHEAD).replaceWith(extension(until, now));
        });
    }

    private Extension extension(Instant expiresAt, Instant now) {
        Instant latest = now.plus(maxLifetime);
        return new Extension(expiresAt, Math.max(0, Duration.between(expiresAt, latest).toHours()), latest);
    }

    /** A ping through the port's device. */
    public Uni<DeviceCommands.Ping> ping(Owner owner, UUID id) {
        return get(owner, id).chain(port -> devices.device(port.deviceId())).map(Optional::orElseThrow).chain(commands::ping);
    }

    public String password(Port port) {
        return passwords.open(port.proxyPasswordSealed(), port.id().toString());
    }

    static String kind(boolean isPrivate) {
        return isPrivate ? "private" : "shared";
    }
}
