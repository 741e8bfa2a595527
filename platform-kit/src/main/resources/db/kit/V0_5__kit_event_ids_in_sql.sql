-- UUIDv7 (RFC 9562) made by the database, as Ids.next() makes them in Java: the outbox rows a
-- statement of a service's own appends (Outbox.insertSql) get the kit's kind of id, time-ordered.
create function kit_event_id() returns uuid language sql volatile as $$
    select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                      placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                      from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
$$;
