package io.tollgate.proxy.inventory;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Where ports can be had: public and cacheable for 30 s ({@code Cache-Control: max-age=30}).
 * {@code free_device_count} counts devices that would take one more port now.
 */
@Path("/v1/proxy")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proxy inventory")
public class InventoryResource {

    public record CountryView(String id, String name, String code, String iso3, long freeDeviceCount) {
    }

    public record CityView(UUID id, String name, long freeDeviceCount) {
    }

    public record CarrierView(UUID id, String name, String mcc, String mnc, String brand, long freeDeviceCount) {
    }

    public record Listing<T>(List<T> data) {
    }

    public record CarrierAvailability(String carrier, boolean isPrivate, long total, long online, long freeDeviceCount) {
    }

    public record CountryAvailability(String country, String name, long total, long online, long freeDeviceCount,
                                      List<CarrierAvailability> carriers) {
    }

    public record Availability(List<CountryAvailability> countries, long totalOnline, long totalDevices) {
    }

    public record PoolCount(long online, long total) {
    }

    public record PoolAvailability(Map<String, PoolCount> countries, long totalOnline, long totalDevices) {
    }

    public record Stock(long sharedPorts, long privateDevices) {
    }

    public record PoolStock(Map<String, Stock> countries, long sharedPorts, long privateDevices, Instant updatedAt) {
    }

    private final InventoryRepository inventory;
    private final Clock clock;

    public InventoryResource(InventoryRepository inventory, Clock clock) {
        this.inventory = inventory;
        this.clock = clock;
    }

    @GET
    @Path("/countries")
    @Operation(summary = "Countries with devices (is_private: only private or only pool devices), with how many would take a port")
    public Uni<RestResponse<Listing<CountryView>>> countries(@QueryParam("is_private") String isPrivate) {
        return inventory.countries(flag(isPrivate)).map(rows -> cacheable(new Listing<>(rows.stream()
                .map(r -> new CountryView(r.code(), r.name(), r.code(), r.iso3(), r.freeDevices())).toList())));
    }

    @GET
    @Path("/countries/{code}/cities")
    @Operation(summary = "The cities of a country with devices")
    public Uni<RestResponse<Listing<CityView>>> cities(@PathParam("code") String code, @QueryParam("is_private") String isPrivate) {
        Boolean kind = flag(isPrivate);
        return country(code).chain(c -> inventory.cities(c, kind)).map(rows -> cacheable(new Listing<>(rows.stream()
                .map(r -> new CityView(r.id(), r.name(), r.freeDevices())).toList())));
    }

    @GET
    @Path("/countries/{code}/carriers")
    @Operation(summary = "The carriers of a country (of one city with city_id) with devices")
    public Uni<RestResponse<Listing<CarrierView>>> carriers(@PathParam("code") String code, @QueryParam("city_id") String cityId,
                                                           @QueryParam("is_private") String isPrivate) {
        Boolean kind = flag(isPrivate);
        UUID city = uuid("city_id", cityId);
        return country(code).chain(c -> inventory.carriers(c, city, kind)).map(rows -> cacheable(new Listing<>(rows.stream()
                .map(r -> new CarrierView(r.id(), r.name(), r.mcc(), r.mnc(), r.brand(), r.freeDevices())).toList())));
    }

    @GET
    @Path("/availability")
    @Operation(summary = "Devices by country and carrier: total, online and free")
    public Uni<RestResponse<Availability>> availability() {
        return inventory.stock().map(rows -> {
            Map<String, List<InventoryRepository.StockRow>> byCountry = new LinkedHashMap<>();
            rows.forEach(r -> byCountry.computeIfAbsent(r.country(), k -> new java.util.ArrayList<>()).add(r));
            List<CountryAvailability> countries = byCountry.values().stream().map(list -> new CountryAvailability(list.get(0).country(),
                    list.get(0).countryName(), list.stream().mapToLong(InventoryRepository.StockRow::total).sum(),
                    list.stream().mapToLong(InventoryRepository.StockRow::online).sum(),
                    list.stream().mapToLong(InventoryRepository.StockRow::freeDevices).sum(),
                    list.stream().map(r -> new CarrierAvailability(r.carrier(), r.isPrivate(), r.total(), r.online(), r.freeDevices()))
                            .toList())).toList();
            return cacheable(new Availability(countries, countries.stream().mapToLong(CountryAvailability::online).sum(),
                    countries.stream().mapToLong(CountryAvailability::total).sum()));
        });
    }

    @GET
    @Path("/pool/availability")
    @Operation(summary = "Devices online and in total per country")
    public Uni<RestResponse<PoolAvailability>> poolAvailability() {
        return inventory.stock().map(rows -> {
            Map<String, PoolCount> countries = new LinkedHashMap<>();
            rows.forEach(r -> countries.merge(r.country(), new PoolCount(r.online(), r.total()),
                    (a, b) -> new PoolCount(a.online() + b.online(), a.total() + b.total())));
            return cacheable(new PoolAvailability(countries, countries.values().stream().mapToLong(PoolCount::online).sum(),
                    countries.values().stream().mapToLong(PoolCount::total).sum()));
        });
    }

    @GET
    @Path("/pool/stock")
    @Operation(summary = "What can be bought now per country: pool ports that devices would still take, free private devices")
    public Uni<RestResponse<PoolStock>> poolStock() {
        return inventory.stock().map(rows -> {
            Map<String, Stock> countries = new LinkedHashMap<>();
            rows.forEach(r -> countries.merge(r.country(), r.isPrivate() ? new Stock(0, r.freeDevices()) : new Stock(r.freePlaces(), 0),
                    (a, b) -> new Stock(a.sharedPorts() + b.sharedPorts(), a.privateDevices() + b.privateDevices())));
            return cacheable(new PoolStock(countries, countries.values().stream().mapToLong(Stock::sharedPorts).sum(),
                    countries.values().stream().mapToLong(Stock::privateDevices).sum(), clock.instant()));
        });
    }

    private Uni<String> country(String code) {
        if (code == null || !code.matches("^[A-Za-z]{2}$")) {
            throw ProblemException.notFound("country");
        }
        String upper = code.toUpperCase();
        return inventory.countryListed(upper).map(known -> {
            if (!known) {
                throw ProblemException.notFound("country");
            }
            return upper;
        });
    }

    /** A query flag: absent, {@code true} or {@code false}; anything else is 400 naming {@code is_private}. */
    public static Boolean flag(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.validation("is_private", "must be true or false");
        };
    }

    static UUID uuid(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation(field, "must be a UUID");
        }
    }

    private static <T> RestResponse<T> cacheable(T body) {
        return RestResponse.ResponseBuilder.ok(body).header("Cache-Control", "max-age=30").build();
    }
}
