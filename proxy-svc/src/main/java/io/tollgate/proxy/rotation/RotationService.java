package io.tollgate.proxy.rotation;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.tollgate.proxy.devices.Device;
import io.tollgate.proxy.devices.DeviceCommands;
import io.tollgate.proxy.devices.DeviceRepository;
import io.tollgate.proxy.inventory.InventoryRepository;
import io.tollgate.proxy.limits.Cooldowns;
import io.tollgate.proxy.ports.Passwords;
import io.tollgate.proxy.ports.Port;
import io.tollgate.proxy.ports.PortRepository;
import io.tollgate.proxy.ports.PortService;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A port's new public address, two ways: a device switch moves the port to another free device in
 * its country (keeping its credentials, numbers and expiry); airplane mode (private ports) asks the
 * port's own device for a new address and waits until the device reports it. Every successful
 * rotation is recorded in the history with its trigger ({@code manual}, {@code token}, {@code auto})
 * and announced as {@code port.rotated}; the limits are {@link Cooldowns}' and count successful
 * rotations only.
 */
@ApplicationScoped
public class RotationService {

    public static final String MANUAL = "manual";
    public static final String TOKEN = "token";
    public static final String AUTO = "auto";
    /** The port moved by itself because its device had been down too long. */
    public static final String FAILOVER = "failover";
    public static final String DEVICE_SWITCH = "device_switch";
    public static final String AIRPLANE_MODE = "airplane_mode";

    private static final Duration POLL = Duration.ofMillis(200);

    /** What a rotation did. */
    public record Rotated(UUID portId, String portName, String rotationType, UUID oldDeviceId, UUID newDeviceId, String oldIp,
                          String newIp, long rotationDurationMs, int rotationCount) {
    }

    /** A rotation through the public link, with the link's cooldown for this port. */
    public record LinkRotated(Rotated rotated, long cooldownSeconds) {
    }

    /** Whether the port could rotate now, onto how many devices, and in how many seconds if not yet. */
    public record Readiness(boolean canRotate, long availableDevices, long retryAfterSeconds, String reason) {
    }

    private final PortService portService;
    private final InventoryRepository inventory;
    private final PortRepository ports;
    private final DeviceRepository devices;
    private final DeviceCommands commands;
    private final Cooldowns cooldowns;
    private final Outbox outbox;
    private final Clock clock;
    private final Duration rotateInterval;
    private final Duration resetInterval;
    private final Duration linkCooldownPrivate;
    private final Duration linkCooldownShared;
    private final int linkPerMinute;
    private final Duration resetTimeout;

    public RotationService(PortService portService, InventoryRepository inventory, PortRepository ports, DeviceRepository devices, DeviceCommands commands,
                           Cooldowns cooldowns, Outbox outbox, Clock clock,
                           @ConfigProperty(name = "tollgate.proxy.limits.rotate-interval", defaultValue = "PT5M") Duration rotateInterval,
                           @ConfigProperty(name = "tollgate.proxy.limits.reset-ip-interval", defaultValue = "PT30S") Duration resetInterval,
                           @ConfigProperty(name = "tollgate.proxy.limits.link-cooldown-private", defaultValue = "PT60S")
                           Duration linkCooldownPrivate,
                           @ConfigProperty(name = "tollgate.proxy.limits.link-cooldown-shared", defaultValue = "PT5M")
                           Duration linkCooldownShared,
                           @ConfigProperty(name = "tollgate.proxy.limits.link-per-minute", defaultValue = "10") int linkPerMinute,
                           @ConfigProperty(name = "tollgate.proxy.devices.reset-timeout", defaultValue = "PT30S") Duration resetTimeout) {
        this.portService = portService;
        this.inventory = inventory;
        this.ports = ports;
        this.devices = devices;
        this.commands = commands;
        this.cooldowns = cooldowns;
        this.outbox = outbox;
        this.clock = clock;
        this.rotateInterval = rotateInterval;
        this.resetInterval = resetInterval;
        this.linkCooldownPrivate = linkCooldownPrivate;
        this.linkCooldownShared = linkCooldownShared;
        this.linkPerMinute = linkPerMinute;
        this.resetTimeout = resetTimeout;
    }

    /** {@code POST /v1/ports/{id}/rotate}: a device switch, once per rotate interval per port. */
    public Uni<Rotated> rotate(Owner owner, UUID portId) {
        return portService.get(owner, portId).chain(port -> {
            requireActive(port);
            return cooldowns.beginRotation(port.id(), rotateInterval, "A port may be rotated once every "
                            + rotateInterval.toSeconds() + " s.")
                    .chain(lock -> switchDevice(port.id(), MANUAL).call(() -> cooldowns.rotated(port.id(), lock, remember()))
                            .onFailure().call(() -> cooldowns.release(lock)));
        });
    }

    /** {@code POST /v1/ports/{id}/reset-ip}: airplane mode on the port's own device; private ports only, once per 30 s. */
    public Uni<Rotated> resetIp(Owner owner, UUID portId) {
        return portService.get(owner, portId).chain(port -> {
            requireActive(port);
            if (!port.isPrivate()) {
                throw ProblemException.badRequest("NOT_PRIVATE", "Only private ports get a new address from their own device.");
            }
            return cooldowns.claim("proxy:limit:reset-ip:" + port.id(), resetInterval,
                            "A port's address may be reset once every " + resetInterval.toSeconds() + " s.")
                    .chain(claim -> airplaneMode(port, MANUAL).onFailure().call(() -> cooldowns.release(claim)));
        });
    }

    /** The public link: no caller, 10 calls a minute per link, then the port's cooldown (60 s private, 5 min pool). */
    public Uni<LinkRotated> rotateByToken(String token) {
        if (token == null || !token.matches("^[0-9a-f]{32}$")) {
            return Uni.createFrom().failure(ProblemException.notFound("rotation link"));
        }
        return cooldowns.count("proxy:limit:link:" + token, linkPerMinute, "A rotation link takes " + linkPerMinute + " calls a minute.")
                .chain(() -> ports.byRotationToken(token))
                .chain(found -> {
                    Port port = found.filter(p -> !Port.EXPIRED.equals(p.status()))
                            .orElseThrow(() -> ProblemException.notFound("rotation link"));
                    if (Port.SUSPENDED.equals(port.status())) {
                        throw ProblemException.badRequest("PORT_SUSPENDED", "The port is suspended; it rotates again once resumed.");
                    }
                    Duration cooldown = cooldown(port);
                    return cooldowns.beginRotation(port.id(), cooldown, "This link rotates the port once every " + cooldown.toSeconds() + " s.")
                            .onFailure(ProblemException.class).transform(e -> ((ProblemException) e).with("cooldown_seconds", cooldown.toSeconds()))
                            .chain(lock -> (port.isPrivate() ? airplaneMode(port, TOKEN) : switchDevice(port.id(), TOKEN))
                                    .call(() -> cooldowns.rotated(port.id(), lock, remember()))
                                    .onFailure().call(() -> cooldowns.release(lock)))
                            .map(rotated -> new LinkRotated(rotated, cooldown.toSeconds()));
                });
    }

    public Duration cooldown(Port port) {
        return port.isPrivate() ? linkCooldownPrivate : linkCooldownShared;
    }

    public Uni<Readiness> readiness(Owner owner, UUID portId) {
        return portService.get(owner, portId).chain(port -> ports.settings(ports.pool(), port.id())
                .chain(settings -> devices.device(port.deviceId()).map(Optional::orElseThrow).chain(from -> {
                    List<UUID> excluded = new ArrayList<>(settings.excludedDeviceIds());
                    excluded.add(port.deviceId());
                    return ports.candidates(port.countryCode(), settings.matchCity() ? from.cityId() : null,
                            settings.matchCarrier() ? from.carrierId() : null, port.isPrivate(), port.exclusive(), excluded,
                            port.serverId());
                }))
                .chain(available -> cooldowns.rotationWait(port.id(), rotateInterval).map(waitMs -> {
                    long wait = (waitMs + 999) / 1000;
                    String reason = !Port.ACTIVE.equals(port.status()) ? "The port is " + port.status() + "."
                            : wait > 0 ? "The port rotated less than " + rotateInterval.toSeconds() + " s ago."
                            : available == 0 ? "No other free device in " + port.countryCode() + " now." : null;
                    return new Readiness(reason == null, available, wait, reason);
                })));
    }

    public Uni<Page<PortRepository.Rotation>> history(Owner owner, UUID portId, PageRequest page) {
        return portService.get(owner, portId).chain(port -> ports.rotationCount(port.id())
                .chain(total -> ports.rotations(port.id(), page.size(), page.offset()).map(rows -> Page.of(rows, page, total))));
    }

    /** A new public link; the old one stops working at once. */
    public Uni<String> regenerateToken(Owner owner, UUID portId) {
        String token = Passwords.hex(16);
        return ports.pool().withTransaction(tx -> ports.owned(tx, owner, portId, true).chain(found -> {
            found.orElseThrow(() -> ProblemException.notFound("port"));
            return ports.rotationToken(tx, portId, token);
        })).replaceWith(token);
    }

    /** The settings as changed by a PATCH: only the fields given change. */
    public record SettingsChange(Boolean enabled, Integer intervalSeconds, Boolean matchCarrier, Boolean matchCity,
                                 List<UUID> excludedDeviceIds) {
    }

    public Uni<PortRepository.RotationSettings> settings(Owner owner, UUID portId) {
        return portService.get(owner, portId).chain(port -> ports.settings(ports.pool(), port.id()));
    }

    /**
     * Changes the rotation settings. Auto-rotation needs an interval of at least 60 s on a private
     * port and 300 s on a pool port (400 otherwise); turning it on schedules the first turn one
     * interval from now.
     */
    public Uni<PortRepository.RotationSettings> changeSettings(Owner owner, UUID portId, SettingsChange change) {
        Instant now = clock.instant();
        return ports.pool().withTransaction(tx -> ports.owned(tx, owner, portId, true).chain(found -> {
            Port port = found.orElseThrow(() -> ProblemException.notFound("port"));
            return ports.settings(tx, portId).chain(old -> {
                boolean enabled = change.enabled() == null ? old.enabled() : change.enabled();
                Integer interval = change.intervalSeconds() == null ? old.intervalSeconds() : change.intervalSeconds();
                long minimum = port.isPrivate() ? 60 : 300;
                if (interval != null && interval < minimum) {
                    throw ProblemException.validation("interval_seconds", "must be at least " + minimum + " for a "
                            + (port.isPrivate() ? "private" : "pool") + " port");
                }
                if (enabled && interval == null) {
                    throw ProblemException.validation("interval_seconds", "is needed to turn auto-rotation on");
                }
                boolean rescheduled = enabled && (!old.enabled() || change.intervalSeconds() != null);
                PortRepository.RotationSettings next = new PortRepository.RotationSettings(enabled, interval,
                        change.matchCarrier() == null ? old.matchCarrier() : change.matchCarrier(),
                        change.matchCity() == null ? old.matchCity() : change.matchCity(),
                        change.excludedDeviceIds() == null ? old.excludedDeviceIds() : List.copyOf(change.excludedDeviceIds()),
                        !enabled ? null : rescheduled ? now.plusSeconds(interval) : old.nextRotationAt());
                return ports.saveSettings(tx, portId, next).replaceWith(next);
            });
        }));
    }

    /** One auto-rotation turn of a port that is due (the claim already moved its next turn on). */
    public Uni<Void> autoRotate(UUID portId) {
        return ports.find(ports.pool(), portId, false).chain(found -> {
            Port port = found.orElse(null);
            if (port == null || !Port.ACTIVE.equals(port.status())) {
                return Uni.createFrom().voidItem();
            }
            return ports.settings(ports.pool(), portId).chain(settings -> cooldowns.beginRotation(portId,
                            Duration.ofSeconds(settings.intervalSeconds()).minusSeconds(1), "auto-rotation is not due yet.")
                    .chain(lock -> (port.isPrivate() ? airplaneMode(port, AUTO) : switchDevice(portId, AUTO))
                            .call(() -> cooldowns.rotated(portId, lock, remember()))
                            .onFailure().call(() -> cooldowns.release(lock))))
                    .replaceWithVoid();
        });
    }

    /** A port moved off its device: where from and where to. */
    public record Moved(UUID portId, UUID oldDeviceId, UUID newDeviceId, String oldIp, String newIp) {
    }

    /**
     * {@code POST .../replace}: a port whose device is offline (or not active) moves to another free
     * device in the same country and city; a port whose device is up stays (409 DEVICE_ONLINE).
     */
    public Uni<Moved> replace(Owner owner, UUID portId) {
        return ports.pool().withTransaction(tx -> ports.owned(tx, owner, portId, true).chain(found -> {
            Port port = found.orElseThrow(() -> ProblemException.notFound("port"));
            if (!port.live()) {
                throw ProblemException.badRequest("PORT_NOT_ACTIVE", "The port has " + port.status() + "; it cannot move.");
            }
            return devices.device(tx, port.deviceId()).map(Optional::orElseThrow).chain(from -> {
                if (from.online() && "active".equals(from.status())) {
                    throw ProblemException.conflict("DEVICE_ONLINE", "The port's device is up; rotate the port to move it.");
                }
                return ports.place(tx, port.countryCode(), from.cityId(), null, port.isPrivate(), port.exclusive(), List.of(from.id()),
                                port.serverId())
                        .chain(placement -> {
                            PortRepository.Placement to = placement.orElseThrow(() -> ProblemException.badRequest("NO_DEVICE_AVAILABLE",
                                    "No other free device in this city now; the port stays where it is."));
                            return ports.releaseDevice(tx, from.id(), port.exclusive())
                                    .chain(() -> ports.relocate(tx, port.id(), to.deviceId(), port.countryCode(), port.cityId(),
                                            port.carrierId(), port.isPrivate()))
                                    .replaceWith(new Moved(port.id(), from.id(), to.deviceId(), from.publicIp(), to.publicIp()));
                        });
            });
        }));
    }

    /**
     * Moves a port off a device that has been down for longer than {@code after}: to another free
     * device of its kind in the same city if there is one, else anywhere in its country; numbers,
     * credentials and expiry stay. Rechecked under the port's row lock, so a port moves once however
     * many instances try; empty when it needs no move or no device is free (it waits for the next turn,
     * its status saying the device is down).
     */
    public Uni<Optional<Moved>> failover(UUID portId, Duration after) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        return ports.pool().withTransaction(tx -> ports.find(tx, portId, true).chain(found -> {
            Port port = found.filter(Port::live).orElse(null);
            if (port == null) {
                return Uni.createFrom().item(Optional.<Moved>empty());
            }
            return ports.deviceLost(tx, port.deviceId(), after).chain(lost -> !lost ? Uni.createFrom().item(Optional.<Moved>empty())
                    : devices.device(tx, port.deviceId()).map(Optional::orElseThrow).chain(from -> ports.place(tx, port.countryCode(),
                                    from.cityId(), null, port.isPrivate(), port.exclusive(), List.of(from.id()), port.serverId())
                            .chain(inCity -> inCity.isPresent() || from.cityId() == null ? Uni.createFrom().item(inCity)
                                    : ports.place(tx, port.countryCode(), null, null, port.isPrivate(), port.exclusive(), List.of(from.id()),
                                            port.serverId()))
                            .chain(placement -> {
                                if (placement.isEmpty()) {
                                    return Uni.createFrom().item(Optional.<Moved>empty());
                                }
                                PortRepository.Placement to = placement.get();
                                return ports.releaseDevice(tx, from.id(), port.exclusive())
                                        .chain(() -> ports.moved(tx, port.id(), to.deviceId(), now))
                                        .chain(count -> devices.device(tx, to.deviceId()).map(Optional::orElseThrow).chain(device -> record(tx,
                                                port, device, new Rotated(port.id(), port.name(), DEVICE_SWITCH, from.id(), device.id(),
                                                        port.publicIp(), device.publicIp(), (System.nanoTime() - started) / 1_000_000, count),
                                                FAILOVER, now)))
                                        .map(r -> Optional.of(new Moved(port.id(), from.id(), to.deviceId(), r.oldIp(), r.newIp())));
                            })));
        }));
    }

    /** Where a reconfigured port should be; a null kind keeps the port's. */
    public record Location(String country, UUID cityId, UUID carrierId, Boolean isPrivate) {
    }

    /**
     * {@code POST .../reconfigure}: the port moves to a device of another location (or kind: the new
     * kind needs a free slot), keeping its remaining time, numbers and credentials; 3 times in 2 min.
     */
    public Uni<Moved> reconfigure(Owner owner, UUID portId, Location wanted) {
        return portService.get(owner, portId).chain(ignored -> inventory.locationOf(wanted.country(), wanted.cityId(), wanted.carrierId()))
                .chain(known -> {
                    if (!known) {
                        throw ProblemException.validation(wanted.cityId() != null ? "city_id" : "carrier_id",
                                "is not of country " + wanted.country());
                    }
                    return cooldowns.count("proxy:limit:reconfigure:" + portId, 3, Duration.ofMinutes(2),
                            "A port may be reconfigured 3 times in 2 min.");
                })
                .chain(() -> ports.pool().withTransaction(tx -> ports.owned(tx, owner, portId, true).chain(found -> {
                    Port port = found.orElseThrow(() -> ProblemException.notFound("port"));
                    requireActive(port);
                    boolean isPrivate = wanted.isPrivate() == null ? port.isPrivate() : wanted.isPrivate();
                    Location to = new Location(wanted.country(), wanted.cityId(), wanted.carrierId(), isPrivate);
                    Uni<Void> slot = port.isPrivate() == isPrivate ? Uni.createFrom().voidItem()
                            : ports.lockSlots(tx, owner, isPrivate).map(slots -> {
                                if (slots.held() >= slots.limit()) {
                                    throw ProblemException.conflict("SLOT_LIMIT_EXCEEDED", "No free " + (isPrivate ? "private" : "shared")
                                            + " slot for this port.").with("limit", slots.limit()).with("held", slots.held());
                                }
                                return null;
                            });
                    return slot.chain(() -> ports.place(tx, to.country(), to.cityId(), to.carrierId(), isPrivate, port.exclusive(),
                                    List.of(port.deviceId()), port.serverId()))
                            .chain(placement -> {
                                PortRepository.Placement at = placement.orElseThrow(() -> ProblemException.badRequest("NO_DEVICE_AVAILABLE",
                                        "No free device fits this location now; the port stays as it is."));
                                return ports.releaseDevice(tx, port.deviceId(), port.exclusive())
                                        .chain(() -> ports.relocate(tx, port.id(), at.deviceId(), to.country(), to.cityId(), to.carrierId(),
                                                isPrivate))
                                        .replaceWith(new Moved(port.id(), port.deviceId(), at.deviceId(), port.publicIp(), at.publicIp()));
                            });
                })));
    }

    private Duration remember() {
        Duration longest = rotateInterval;
        for (Duration d : List.of(linkCooldownPrivate, linkCooldownShared)) {
            if (d.compareTo(longest) > 0) {
                longest = d;
            }
        }
        return longest;
    }

    private static void requireActive(Port port) {
        if (!Port.ACTIVE.equals(port.status())) {
            throw ProblemException.badRequest("PORT_NOT_ACTIVE", "The port is " + port.status() + "; it cannot rotate.");
        }
    }

    private Uni<Rotated> switchDevice(UUID portId, String trigger) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        return ports.pool().withTransaction(tx -> ports.find(tx, portId, true).chain(found -> {
            Port port = found.orElseThrow(() -> ProblemException.notFound("port"));
            requireActive(port);
            return ports.settings(tx, portId).chain(settings -> devices.device(tx, port.deviceId()).map(Optional::orElseThrow)
                    .chain(from -> {
                        List<UUID> excluded = new ArrayList<>(settings.excludedDeviceIds());
                        excluded.add(port.deviceId());
                        return ports.place(tx, port.countryCode(), settings.matchCity() ? from.cityId() : null,
                                settings.matchCarrier() ? from.carrierId() : null, port.isPrivate(), port.exclusive(), excluded,
                                port.serverId());
                    }))
                    .chain(placement -> {
                        PortRepository.Placement to = placement.orElseThrow(() -> ProblemException.badRequest("NO_DEVICE_AVAILABLE",
                                "No other free device in " + port.countryCode() + " now; the port stays where it is."));
                        return ports.releaseDevice(tx, port.deviceId(), port.exclusive())
                                .chain(() -> ports.moved(tx, port.id(), to.deviceId(), now))
                                .chain(count -> devices.device(tx, to.deviceId()).map(Optional::orElseThrow).chain(device -> {
                                    Rotated rotated = new Rotated(port.id(), port.name(), DEVICE_SWITCH, port.deviceId(), device.id(),
                                            port.publicIp(), device.publicIp(), (System.nanoTime() - started) / 1_000_000, count);
                                    return record(tx, port, device, rotated, trigger, now);
                                }));
                    });
        }));
    }

    private Uni<Rotated> airplaneMode(Port port, String trigger) {
        long started = System.nanoTime();
        Instant deadline = clock.instant().plus(resetTimeout);
        return devices.device(port.deviceId()).map(Optional::orElseThrow).chain(device -> {
            if (!device.online()) {
                throw new ProblemException(503, "DEVICE_UNAVAILABLE", "Service unavailable",
                        "The port's device is offline; its address cannot be reset now.", List.of(), java.util.Map.of(),
                        java.util.Map.of("Retry-After", "30"));
            }
            String oldIp = device.publicIp();
            return commands.resetIp(device).chain(() -> awaitNewAddress(device.id(), oldIp, deadline))
                    .chain(after -> {
                        Instant now = clock.instant();
                        return ports.pool().withTransaction(tx -> ports.find(tx, port.id(), true).chain(found -> {
                            Port current = found.orElseThrow(() -> ProblemException.notFound("port"));
                            return ports.moved(tx, current.id(), current.deviceId(), now).chain(count -> record(tx, current, after,
                                    new Rotated(current.id(), current.name(), AIRPLANE_MODE, device.id(), device.id(), oldIp, after.publicIp(),
                                            (System.nanoTime() - started) / 1_000_000, count), trigger, now));
                        }));
                    });
        });
    }

    /** The device once it is back online on another address; 504 RESET_TIMEOUT at the deadline. */
    private Uni<Device> awaitNewAddress(UUID deviceId, String oldIp, Instant deadline) {
        return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> devices.device(deviceId)).chain(found -> {
            Device d = found.orElseThrow();
            if (d.online() && d.publicIp() != null && !d.publicIp().equals(oldIp)) {
                return Uni.createFrom().item(d);
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ProblemException(504, "RESET_TIMEOUT", "Gateway timeout",
                        "The device did not come back with a new address in time; try again.");
            }
            return awaitNewAddress(deviceId, oldIp, deadline);
        });
    }

    private Uni<Rotated> record(SqlClient tx, Port port, Device to, Rotated r, String trigger, Instant now) {
        return ports.recordRotation(tx, new PortRepository.Rotation(Ids.next(), port.id(), r.oldDeviceId(), r.newDeviceId(), r.oldIp(),
                        r.newIp(), trigger, r.rotationType(), true, (int) Math.min(Integer.MAX_VALUE, r.rotationDurationMs()),
                        port.countryCode(), to.carrier(), to.city(), now))
                .chain(() -> outbox.append(tx, port.id().toString(), "ports/" + port.id(), new PortRotated(port.userId(), port.tenantId(),
                        port.id(), port.name(), port.countryCode(), r.oldDeviceId(), r.newDeviceId(), r.oldIp(), r.newIp(), trigger,
                        r.rotationType(), r.rotationCount(), now)))
                .replaceWith(r);
    }
}
