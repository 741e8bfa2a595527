package io.tollgate.proxy.ports;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code ports} and {@code rotations} tables, and the placement of ports on devices. A device's
 * {@code live_ports} and {@code exclusive_taken} change only here, in the transaction that places,
 * moves or ends a port, and placement is one conditional update of the device row (a locked row is
 * skipped, a changed one re-checked), so racing creations never put more on a device than it carries.
 */
@ApplicationScoped
public class PortRepository {

    /** Where a port was placed. */
    public record Placement(UUID deviceId, UUID serverId, String publicIp) {
    }

    /** The port numbers opened for a port on its server, and the server's address. */
    public record Numbers(int httpPort, int socksPort, String serverIp) {
    }

    /** What a user may hold (billing's slots) and holds now, of one kind, and whether its traffic is spent. */
    public record Slots(int limit, int held, boolean exhausted) {
    }

    /** A port a suspension or resumption changed. */
    public record Changed(UUID id, String name) {
    }

    public record Slice(List<Port> rows, long total) {
    }

    static final String LIVE = "('active', 'suspended')";

    /** A device (d2, on its server s) that would take the port ($1 to $8 as {@link #place} has them). */
    private static final String FITTING = """
            from devices d2 join servers s on s.id = d2.server_id
            where d2.status = 'active' and d2.online and s.status = 'active' and d2.country_code = $1
              and ($2::uuid is null or d2.city_id = $2) and ($3::uuid is null or d2.carrier_id = $3) and d2.is_private = $4
              and not d2.exclusive_taken and not (d2.id = any($6::uuid[])) and ($7::uuid is null or d2.server_id = $7)
              and d2.live_ports < case when $5 or d2.is_private then 1
                                       else least(coalesce(d2.max_ports, s.max_ports_per_device), s.max_ports_per_device) end
              and ($8::int is null or d2.live_ports < $8)
            """;
    private static final String PLACE = "update devices d set live_ports = d.live_ports + 1, exclusive_taken = d.exclusive_taken or $5,"
            + " updated_at = now() from (select d2.id " + FITTING
            + " order by (d2.live_ports >= s.soft_max_ports_per_device), d2.live_ports, random() limit 1 for update of d2 skip locked) pick"
            + " where d.id = pick.id returning d.id, d.server_id, d.public_ip";
    /** Whether a fitting device exists, locked or not. */
    private static final String FITS = "select exists (select 1 " + FITTING + ")";
    /** How often a place is looked for again when every fitting device was locked at that moment, and how long apart. */
    private static final int PLACE_ATTEMPTS = 8;
    private static final Duration PLACE_PAUSE = Duration.ofMillis(40);
    private static final String CANDIDATES = """
            select count(*) from devices d2 join servers s on s.id = d2.server_id
            where d2.status = 'active' and d2.online and s.status = 'active' and d2.country_code = $1
              and ($2::uuid is null or d2.city_id = $2) and ($3::uuid is null or d2.carrier_id = $3) and d2.is_private = $4
              and not d2.exclusive_taken and not (d2.id = any($6::uuid[])) and ($7::uuid is null or d2.server_id = $7)
              and d2.live_ports < case when $5 or d2.is_private then 1
                                       else least(coalesce(d2.max_ports, s.max_ports_per_device), s.max_ports_per_device) end""";
    /** Places a port of this kind could still take on devices holding fewer than $6 ports, and on how many devices. */
    private static final String CAPACITY = """
            select count(*) filter (where places > 0) as devices, coalesce(sum(places), 0) as places
            from (select greatest(0, least(case when $5 or d2.is_private then 1
                                                else least(coalesce(d2.max_ports, s.max_ports_per_device), s.max_ports_per_device) end,
                                           $6) - d2.live_ports) as places
                  from devices d2 join servers s on s.id = d2.server_id
                  where d2.status = 'active' and d2.online and s.status = 'active' and d2.country_code = $1
                    and ($2::uuid is null or d2.city_id = $2) and ($3::uuid is null or d2.carrier_id = $3) and d2.is_private = $4
                    and not d2.exclusive_taken) c""";
    private static final String NUMBERS = """
            select s.ip, s.http_port_start + n as http_port, s.socks_port_start + n as socks_port
            from servers s, generate_series(0, least(s.http_port_end - s.http_port_start, s.socks_port_end - s.socks_port_start)) n
            where s.id = $1
              and not exists (select 1 from ports p where p.server_id = s.id and p.status in ('active', 'suspended')
                              and (p.http_port = s.http_port_start + n or p.socks_port = s.socks_port_start + n))
            order by n
            limit 1""";
    private static final String INSERT = """
            insert into ports (id, user_id, tenant_id, device_id, server_id, name, display_name, http_port, socks_port, proxy_login,
                               proxy_password_sealed, is_private, exclusive, os_fingerprint, country_code, city_id, carrier_id, status,
                               expires_at, rotation_token, created_at, updated_at, suspended_reason)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $21, $18, $19, $20, $20, $22)""";
    private static final String EXTEND = """
            update ports set expires_at = $2, updated_at = now(),
                   expiring_announced_at = case when $2 > now() + make_interval(secs => $3) then null else expiring_announced_at end
            where id = $1""";
    private static final String RELEASE_DEVICE = """
            update devices set live_ports = greatest(live_ports - 1, 0), exclusive_taken = exclusive_taken and not $2, updated_at = now()
            where id = $1""";

    private final Pool pool;

    public PortRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** Locks the user's entitlement row (made empty if billing has said nothing yet) and counts their live ports of the kind. */
    public Uni<Slots> lockSlots(SqlClient tx, Owner owner, boolean isPrivate) {
        return tx.preparedQuery("insert into entitlements (user_id, tenant_id) values ($1, $2) on conflict (user_id) do nothing")
                .execute(Tuple.of(owner.userId(), owner.tenantId()))
                .chain(() -> tx.preparedQuery("select slots_shared, slots_private, exhausted_shared, exhausted_private from entitlements"
                                + " where user_id = $1 for update")
                        .execute(Tuple.of(owner.userId())))
                .map(rows -> rows.iterator().next())
                .chain(row -> tx.preparedQuery("select count(*) from ports where user_id = $1 and tenant_id = $2 and is_private = $3"
                                + " and status in " + LIVE)
                        .execute(Tuple.of(owner.userId(), owner.tenantId(), isPrivate))
                        .map(rows -> new Slots(row.getInteger(isPrivate ? "slots_private" : "slots_shared"),
                                rows.iterator().next().getLong(0).intValue(),
                                row.getBoolean(isPrivate ? "exhausted_private" : "exhausted_shared"))));
    }

    /**
     * Takes a place on a fitting device (least loaded first, under the soft limit first), on
     * {@code serverId} when given (a port's numbers are opened on its server); empty when none fits.
     */
    public Uni<Optional<Placement>> place(SqlClient tx, String country, UUID cityId, UUID carrierId, boolean isPrivate, boolean exclusive,
                                          List<UUID> excluded, UUID serverId) {
        return place(tx, country, cityId, carrierId, isPrivate, exclusive, excluded, serverId, null);
    }

    /** {@link #place} on a device that holds fewer than {@code ceiling} ports (null: up to the device's own limit). */
    public Uni<Optional<Placement>> place(SqlClient tx, String country, UUID cityId, UUID carrierId, boolean isPrivate, boolean exclusive,
                                          List<UUID> excluded, UUID serverId, Integer ceiling) {
        Tuple args = Tuple.from(new Object[] {country, cityId, carrierId, isPrivate, exclusive, excluded.toArray(UUID[]::new), serverId, ceiling});
        return place(tx, args, 1);
    }

    // A device row is locked for a moment by its heartbeat or by another placement that has not
    // committed yet; the pick skips locked rows (no waits, no deadlocks between placements), so a
    // miss while a fitting device exists is looked at again a few times before it counts as none.
    private Uni<Optional<Placement>> place(SqlClient tx, Tuple args, int attempt) {
        return tx.preparedQuery(PLACE).execute(args).chain(rows -> {
            if (rows.size() > 0) {
                return Uni.createFrom().item(Optional.of(placement(rows.iterator().next())));
            }
            if (attempt >= PLACE_ATTEMPTS) {
                return Uni.createFrom().item(Optional.<Placement>empty());
            }
            return tx.preparedQuery(FITS).execute(args).chain(fits -> fits.iterator().next().getBoolean(0)
                    ? Uni.createFrom().voidItem().onItem().delayIt().by(PLACE_PAUSE).chain(() -> place(tx, args, attempt + 1))
                    : Uni.createFrom().item(Optional.<Placement>empty()));
        });
    }

    /** How many devices would take a port of this kind now. */
    public Uni<Long> candidates(String country, UUID cityId, UUID carrierId, boolean isPrivate, boolean exclusive, List<UUID> excluded,
                                UUID serverId) {
        return pool.preparedQuery(CANDIDATES).execute(Tuple.from(new Object[] {country, cityId, carrierId, isPrivate, exclusive,
                excluded.toArray(UUID[]::new), serverId})).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Free places on fitting devices when each is filled to at most {@code ceiling} ports. */
    public record Capacity(long devices, long places) {
    }

    public Uni<Capacity> capacity(String country, UUID cityId, UUID carrierId, boolean isPrivate, boolean exclusive, int ceiling) {
        return pool.preparedQuery(CAPACITY).execute(Tuple.from(new Object[] {country, cityId, carrierId, isPrivate, exclusive, ceiling}))
                .map(rows -> rows.iterator().next()).map(r -> new Capacity(r.getLong("devices"), r.getLong("places")));
    }

    /** The user's slots of a kind and how many of them live ports hold, read without a lock (an estimate for the caller). */
    public Uni<Slots> slots(Owner owner, boolean isPrivate) {
        return pool.preparedQuery("select coalesce((select " + (isPrivate ? "slots_private" : "slots_shared")
                        + " from entitlements where user_id = $1), 0) as slots,"
                        + " (select count(*) from ports where user_id = $1 and tenant_id = $2 and is_private = $3 and status in " + LIVE
                        + ") as held")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), isPrivate))
                .map(rows -> rows.iterator().next()).map(r -> new Slots(r.getInteger("slots"), r.getLong("held").intValue(), false));
    }

    private static Placement placement(Row r) {
        return new Placement(r.getUUID("id"), r.getUUID("server_id"), r.getString("public_ip"));
    }

    /** Gives a port's place on its device back. */
    public Uni<Void> releaseDevice(SqlClient tx, UUID deviceId, boolean exclusive) {
        return tx.preparedQuery(RELEASE_DEVICE).execute(Tuple.of(deviceId, exclusive)).replaceWithVoid();
    }

    /** The lowest free HTTP and SOCKS numbers of a server, under the server row's lock; empty when its ranges are full. */
    public Uni<Optional<Numbers>> numbers(SqlClient tx, UUID serverId) {
        return tx.preparedQuery("select id from servers where id = $1 for update").execute(Tuple.of(serverId))
                .chain(() -> tx.preparedQuery(NUMBERS).execute(Tuple.of(serverId)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(new Numbers(rows.iterator().next().getInteger("http_port"),
                        rows.iterator().next().getInteger("socks_port"), rows.iterator().next().getString("ip"))));
    }

    public Uni<Long> portsEver(SqlClient tx, Owner owner) {
        return tx.preparedQuery("select count(*) from ports where user_id = $1 and tenant_id = $2")
                .execute(Tuple.of(owner.userId(), owner.tenantId())).map(rows -> rows.iterator().next().getLong(0));
    }

    /** A new port in its status; {@code suspendedReason} says why a suspended one is. */
    public Uni<Void> insert(SqlClient tx, Port p, String suspendedReason) {
        return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] {p.id(), p.userId(), p.tenantId(), p.deviceId(), p.serverId(),
                p.name(), p.displayName(), p.httpPort(), p.socksPort(), p.proxyLogin(), p.proxyPasswordSealed(), p.isPrivate(),
                p.exclusive(), p.osFingerprint(), p.countryCode(), p.cityId(), p.carrierId(), utc(p.expiresAt()), p.rotationToken(),
                utc(p.createdAt()), p.status(), suspendedReason})).replaceWithVoid();
    }

    /** Records whether the user's traffic of a kind is spent (billing's allowance events). */
    public Uni<Void> exhausted(SqlClient tx, UUID userId, UUID tenantId, boolean isPrivate, boolean exhausted) {
        String column = isPrivate ? "exhausted_private" : "exhausted_shared";
        return tx.preparedQuery("insert into entitlements (user_id, tenant_id, " + column + ") values ($1, $2, $3)"
                        + " on conflict (user_id) do update set " + column + " = excluded." + column + ", updated_at = now()")
                .execute(Tuple.of(userId, tenantId, exhausted)).replaceWithVoid();
    }

    /** Suspends the user's active ports of a kind for {@code reason}; the ports it changed. */
    public Uni<List<Changed>> suspend(SqlClient tx, UUID userId, UUID tenantId, boolean isPrivate, String reason) {
        return tx.preparedQuery("update ports set status = 'suspended', suspended_reason = $4, updated_at = now()"
                        + " where user_id = $1 and tenant_id = $2 and is_private = $3 and status = 'active' returning id, name")
                .execute(Tuple.of(userId, tenantId, isPrivate, reason)).map(PortRepository::changed);
    }

    /** Resumes the user's ports of a kind suspended for {@code reason}; the ports it changed. */
    public Uni<List<Changed>> resume(SqlClient tx, UUID userId, UUID tenantId, boolean isPrivate, String reason) {
        return tx.preparedQuery("update ports set status = 'active', suspended_reason = null, updated_at = now()"
                        + " where user_id = $1 and tenant_id = $2 and is_private = $3 and status = 'suspended' and suspended_reason = $4"
                        + " returning id, name")
                .execute(Tuple.of(userId, tenantId, isPrivate, reason)).map(PortRepository::changed);
    }

    private static List<Changed> changed(RowSet<Row> rows) {
        List<Changed> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(new Changed(r.getUUID("id"), r.getString("name"))));
        return out;
    }

    public Uni<Optional<Port>> owned(Owner owner, UUID id) {
        return owned(pool, owner, id, false);
    }

    /** The caller's port (not a deleted one); {@code lock} takes its row for the transaction. */
    public Uni<Optional<Port>> owned(SqlClient c, Owner owner, UUID id, boolean lock) {
        return c.preparedQuery("select " + Port.COLUMNS + Port.FROM + " where p.id = $1 and p.user_id = $2 and p.tenant_id = $3"
                        + " and p.status <> 'deleted'" + (lock ? " for update of p" : ""))
                .execute(Tuple.of(id, owner.userId(), owner.tenantId())).map(PortRepository::first);
    }

    public Uni<Optional<Port>> find(SqlClient c, UUID id, boolean lock) {
        return c.preparedQuery("select " + Port.COLUMNS + Port.FROM + " where p.id = $1" + (lock ? " for update of p" : ""))
                .execute(Tuple.of(id)).map(PortRepository::first);
    }

    public Uni<Optional<Port>> byRotationToken(String token) {
        return pool.preparedQuery("select " + Port.COLUMNS + Port.FROM + " where p.rotation_token = $1 and p.status <> 'deleted'")
                .execute(Tuple.of(token)).map(PortRepository::first);
    }

    public Uni<Slice> page(Owner owner, String status, String country, Boolean isPrivate, PageRequest page) {
        String where = " where p.user_id = $1 and p.tenant_id = $2 and p.status <> 'deleted' and ($3::text is null or p.status = $3)"
                + " and ($4::text is null or p.country_code = $4) and ($5::boolean is null or p.is_private = $5)";
        return pool.preparedQuery("select count(*) from ports p" + where)
                .execute(Tuple.of(owner.userId(), owner.tenantId(), status, country, isPrivate))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + Port.COLUMNS + Port.FROM + where
                                + " order by p.created_at desc, p.id limit $6 offset $7")
                        .execute(Tuple.from(new Object[] {owner.userId(), owner.tenantId(), status, country, isPrivate, page.size(),
                                page.offset()}))
                        .map(rows -> new Slice(all(rows), total)));
    }

    /** Ends a port as {@code deleted} or {@code expired}. */
    public Uni<Void> end(SqlClient tx, UUID id, String status) {
        return tx.preparedQuery("update ports set status = $2, ended_at = coalesce(ended_at, now()), updated_at = now() where id = $1")
                .execute(Tuple.of(id, status)).replaceWithVoid();
    }

    /**
     * Live ports past their expiry, locked for this transaction (others' skipped); a port whose
     * auto-renewal is being charged right now waits for that answer.
     */
    public Uni<List<Port>> lockExpired(SqlClient tx, int limit) {
        return tx.preparedQuery("select " + Port.COLUMNS + Port.FROM + " where p.status in " + LIVE + " and p.expires_at <= now()"
                        + " and (p.renewal_claimed_until is null or p.renewal_claimed_until < now())"
                        + " order by p.expires_at limit $1 for update of p skip locked")
                .execute(Tuple.of(limit)).map(PortRepository::all);
    }

    /** Live ports ending within {@code within} that were not told so yet, locked for this transaction (others' skipped). */
    public Uni<List<Port>> lockExpiring(SqlClient tx, Duration within, int limit) {
        return tx.preparedQuery("select " + Port.COLUMNS + Port.FROM + " where p.status in " + LIVE + " and p.expiring_announced_at is null"
                        + " and p.expires_at > now() and p.expires_at <= now() + make_interval(secs => $1)"
                        + " order by p.expires_at limit $2 for update of p skip locked")
                .execute(Tuple.of((double) within.toSeconds(), limit)).map(PortRepository::all);
    }

    public Uni<Void> announcedExpiring(SqlClient tx, UUID id) {
        return tx.preparedQuery("update ports set expiring_announced_at = now() where id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** A new end; one more than {@code announceAhead} away is announced as expiring again. */
    public Uni<Void> extend(SqlClient tx, UUID id, Instant expiresAt, Duration announceAhead) {
        return tx.preparedQuery(EXTEND).execute(Tuple.of(id, expiresAt.atOffset(ZoneOffset.UTC), (double) announceAhead.toSeconds())).replaceWithVoid();
    }

    /** New credentials; the login must be free among live ports (a unique index says so). */
    public Uni<Void> credentials(SqlClient tx, UUID id, String login, String sealedPassword) {
        return tx.preparedQuery("update ports set proxy_login = $2, proxy_password_sealed = $3, updated_at = now() where id = $1")
                .execute(Tuple.of(id, login, sealedPassword)).replaceWithVoid();
    }

    public Uni<Void> rotationToken(SqlClient tx, UUID id, String token) {
        return tx.preparedQuery("update ports set rotation_token = $2, updated_at = now() where id = $1").execute(Tuple.of(id, token))
                .replaceWithVoid();
    }

    /** A port's rotation settings and when it rotates by itself next. */
    public record RotationSettings(boolean enabled, Integer intervalSeconds, boolean matchCarrier, boolean matchCity,
                                   List<UUID> excludedDeviceIds, Instant nextRotationAt) {
    }

    public Uni<RotationSettings> settings(SqlClient c, UUID portId) {
        return c.preparedQuery("select auto_rotate, rotate_interval_seconds, match_carrier, match_city, excluded_device_ids,"
                        + " next_auto_rotation_at from ports where id = $1").execute(Tuple.of(portId))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    UUID[] excluded = r.getArrayOfUUIDs("excluded_device_ids");
                    return new RotationSettings(r.getBoolean("auto_rotate"), r.getInteger("rotate_interval_seconds"),
                            r.getBoolean("match_carrier"), r.getBoolean("match_city"), excluded == null ? List.of() : List.of(excluded),
                            Port.at(r, "next_auto_rotation_at"));
                });
    }

    public Uni<Void> saveSettings(SqlClient tx, UUID portId, RotationSettings s) {
        return tx.preparedQuery("update ports set auto_rotate = $2, rotate_interval_seconds = $3, match_carrier = $4, match_city = $5,"
                        + " excluded_device_ids = $6, next_auto_rotation_at = $7, updated_at = now() where id = $1")
                .execute(Tuple.from(new Object[] {portId, s.enabled(), s.intervalSeconds(), s.matchCarrier(), s.matchCity(),
                        s.excludedDeviceIds().toArray(UUID[]::new), utc(s.nextRotationAt())}))
                .replaceWithVoid();
    }

    /** Active ports whose auto-rotation is due, each moved to its next turn (so one instance takes it); their ids. */
    /**
     * Live ports whose device has been down for longer than {@code after} (oldest loss first); each is
     * taken again under its row lock by the move, so two instances reading the same list move it once.
     */
    public Uni<List<UUID>> onLostDevices(Duration after, int limit) {
        return pool.preparedQuery("""
                        select p.id from ports p join devices d on d.id = p.device_id
                        where p.status in """ + LIVE + """
                           and not d.online and d.offline_since < now() - make_interval(secs => $1)
                        order by d.offline_since, p.id limit $2""")
                .execute(Tuple.of((double) after.toMillis() / 1000, limit)).map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID("id")));
                    return out;
                });
    }

    /** Whether the device has been down for longer than {@code after}, read in {@code tx} after the port's row is locked. */
    public Uni<Boolean> deviceLost(SqlClient tx, UUID deviceId, Duration after) {
        return tx.preparedQuery("select 1 from devices where id = $1 and not online and offline_since < now() - make_interval(secs => $2)")
                .execute(Tuple.of(deviceId, (double) after.toMillis() / 1000)).map(rows -> rows.size() == 1);
    }

    public Uni<List<UUID>> claimDueRotations(int limit) {
        return pool.preparedQuery("""
                        update ports p set next_auto_rotation_at = now() + make_interval(secs => p.rotate_interval_seconds)
                        from (select id from ports where auto_rotate and status = 'active' and next_auto_rotation_at <= now()
                              order by next_auto_rotation_at limit $1 for update skip locked) due
                        where p.id = due.id
                        returning p.id""")
                .execute(Tuple.of(limit)).map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID("id")));
                    return out;
                });
    }

    /** The port now runs on {@code deviceId}, in this location and of this kind; its time and credentials stay. */
    public Uni<Void> relocate(SqlClient tx, UUID id, UUID deviceId, String country, UUID cityId, UUID carrierId, boolean isPrivate) {
        return tx.preparedQuery("update ports set device_id = $2, country_code = $3, city_id = $4, carrier_id = $5, is_private = $6,"
                        + " updated_at = now() where id = $1")
                .execute(Tuple.from(new Object[] {id, deviceId, country, cityId, carrierId, isPrivate})).replaceWithVoid();
    }

    /** The port now runs on {@code deviceId}: one more rotation. */
    public Uni<Integer> moved(SqlClient tx, UUID id, UUID deviceId, Instant at) {
        return tx.preparedQuery("update ports set device_id = $2, rotation_count = rotation_count + 1, last_rotated_at = $3,"
                        + " updated_at = now() where id = $1 returning rotation_count")
                .execute(Tuple.of(id, deviceId, utc(at))).map(rows -> rows.iterator().next().getInteger(0));
    }

    /** A rotation in the port's history. */
    public record Rotation(UUID id, UUID portId, UUID fromDeviceId, UUID toDeviceId, String fromIp, String toIp, String triggerType,
                           String rotationType, boolean success, int rotationDurationMs, String country, String carrier, String city,
                           Instant createdAt) {
        static Rotation from(Row r) {
            return new Rotation(r.getUUID("id"), r.getUUID("port_id"), r.getUUID("from_device_id"), r.getUUID("to_device_id"),
                    r.getString("from_ip"), r.getString("to_ip"), r.getString("trigger_type"), r.getString("rotation_type"),
                    r.getBoolean("success"), r.getInteger("rotation_duration_ms"), r.getString("country_code"), r.getString("carrier"),
                    r.getString("city"), Port.at(r, "created_at"));
        }
    }

    public Uni<Void> recordRotation(SqlClient tx, Rotation r) {
        return tx.preparedQuery("""
                        insert into rotations (id, port_id, from_device_id, to_device_id, from_ip, to_ip, trigger_type, rotation_type, success,
                                               rotation_duration_ms, country_code, carrier, city, created_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""")
                .execute(Tuple.from(new Object[] {r.id(), r.portId(), r.fromDeviceId(), r.toDeviceId(), r.fromIp(), r.toIp(), r.triggerType(),
                        r.rotationType(), r.success(), r.rotationDurationMs(), r.country(), r.carrier(), r.city(), utc(r.createdAt())}))
                .replaceWithVoid();
    }

    public Uni<List<Rotation>> rotations(UUID portId, int limit, int offset) {
        return pool.preparedQuery("select * from rotations where port_id = $1 order by created_at desc, id limit $2 offset $3")
                .execute(Tuple.of(portId, limit, offset)).map(rows -> {
                    List<Rotation> out = new ArrayList<>();
                    rows.forEach(r -> out.add(Rotation.from(r)));
                    return out;
                });
    }

    public Uni<Long> rotationCount(UUID portId) {
        return pool.preparedQuery("select count(*) from rotations where port_id = $1").execute(Tuple.of(portId))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    static java.time.OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    static Optional<Port> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(Port.from(rows.iterator().next()));
    }

    static List<Port> all(RowSet<Row> rows) {
        List<Port> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(Port.from(r)));
        return out;
    }
}
