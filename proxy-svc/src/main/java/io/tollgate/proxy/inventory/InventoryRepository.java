package io.tollgate.proxy.inventory;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Read-only views of the device inventory: where devices are and how many can take a port now. */
@ApplicationScoped
public class InventoryRepository {

    /** How many more ports a device takes now (0 when it is down, disabled or taken exclusively). */
    static final String FREE = """
            case when d.status = 'active' and d.online and s.status = 'active' and not d.exclusive_taken
                 then greatest(0, (case when d.is_private then 1
                                        else least(coalesce(d.max_ports, s.max_ports_per_device), s.max_ports_per_device) end) - d.live_ports)
                 else 0 end""";
    private static final String DEVICES = " from devices d join servers s on s.id = d.server_id";

    public record CountryRow(String code, String iso3, String name, long freeDevices) {
    }

    public record CityRow(UUID id, String name, long freeDevices) {
    }

    public record CarrierRow(UUID id, String name, String brand, String mcc, String mnc, long freeDevices) {
    }

    /** Devices of one kind in one country and carrier: how many, how many online, free places. */
    public record StockRow(String country, String countryName, String carrier, boolean isPrivate, long total, long online,
                           long freeDevices, long freePlaces) {
    }

    private final Pool pool;

    public InventoryRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<CountryRow>> countries(Boolean isPrivate) {
        return pool.preparedQuery("select co.code, co.iso3, co.name, count(*) filter (where (" + FREE + ") > 0) as free"
                        + DEVICES + " join countries co on co.code = d.country_code"
                        + " where d.status <> 'disabled' and ($1::boolean is null or d.is_private = $1)"
                        + " group by co.code, co.iso3, co.name order by co.name")
                .execute(Tuple.of(isPrivate))
                .map(rows -> map(rows, r -> new CountryRow(r.getString("code"), r.getString("iso3"), r.getString("name"), r.getLong("free"))));
    }

    public Uni<Boolean> countryListed(String code) {
        return pool.preparedQuery("select 1 from countries where code = $1").execute(Tuple.of(code)).map(rows -> rows.size() == 1);
    }

    public Uni<List<CityRow>> cities(String country, Boolean isPrivate) {
        return pool.preparedQuery("select c.id, c.name, count(*) filter (where (" + FREE + ") > 0) as free" + DEVICES
                        + " join cities c on c.id = d.city_id where d.country_code = $1 and d.status <> 'disabled'"
                        + " and ($2::boolean is null or d.is_private = $2) group by c.id, c.name order by c.name")
                .execute(Tuple.of(country, isPrivate))
                .map(rows -> map(rows, r -> new CityRow(r.getUUID("id"), r.getString("name"), r.getLong("free"))));
    }

    public Uni<List<CarrierRow>> carriers(String country, UUID cityId, Boolean isPrivate) {
        return pool.preparedQuery("select k.id, k.name, k.brand, k.mcc, k.mnc, count(*) filter (where (" + FREE + ") > 0) as free"
                        + DEVICES + " join carriers k on k.id = d.carrier_id where d.country_code = $1 and d.status <> 'disabled'"
                        + " and ($2::uuid is null or d.city_id = $2) and ($3::boolean is null or d.is_private = $3)"
                        + " group by k.id, k.name, k.brand, k.mcc, k.mnc order by k.name")
                .execute(Tuple.of(country, cityId, isPrivate))
                .map(rows -> map(rows, r -> new CarrierRow(r.getUUID("id"), r.getString("name"), r.getString("brand"), r.getString("mcc"),
                        r.getString("mnc"), r.getLong("free"))));
    }

    /** Per country, carrier and kind: the whole fleet that is not disabled. */
    public Uni<List<StockRow>> stock() {
        return pool.query("select d.country_code, co.name as country_name, coalesce(k.name, '') as carrier, d.is_private,"
                        + " count(*) as total, count(*) filter (where d.online and d.status = 'active') as online,"
                        + " count(*) filter (where (" + FREE + ") > 0) as free_devices, coalesce(sum(" + FREE + "), 0) as free_places"
                        + DEVICES + " join countries co on co.code = d.country_code left join carriers k on k.id = d.carrier_id"
                        + " where d.status <> 'disabled' group by d.country_code, co.name, k.name, d.is_private"
                        + " order by d.country_code, carrier, d.is_private")
                .execute()
                .map(rows -> map(rows, r -> new StockRow(r.getString("country_code"), r.getString("country_name"), r.getString("carrier"),
                        r.getBoolean("is_private"), r.getLong("total"), r.getLong("online"), r.getLong("free_devices"),
                        r.getLong("free_places"))));
    }

    /** Whether a city (and a carrier) are of the country; a null id is no constraint. */
    public Uni<Boolean> locationOf(String country, UUID cityId, UUID carrierId) {
        return locationOf(pool, country, cityId, carrierId);
    }

    /** As {@link #locationOf(String, UUID, UUID)}, through {@code client} (a transaction already held). */
    public Uni<Boolean> locationOf(io.vertx.mutiny.sqlclient.SqlClient client, String country, UUID cityId, UUID carrierId) {
        return client.preparedQuery("select ($2::uuid is null or exists (select 1 from cities where id = $2 and country_code = $1))"
                        + " and ($3::uuid is null or exists (select 1 from carriers where id = $3 and country_code = $1))")
                .execute(Tuple.of(country, cityId, carrierId)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static <T> List<T> map(io.vertx.mutiny.sqlclient.RowSet<Row> rows, java.util.function.Function<Row, T> f) {
        List<T> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(f.apply(r)));
        return out;
    }
}
