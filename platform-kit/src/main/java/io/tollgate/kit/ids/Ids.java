package io.tollgate.kit.ids;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochRandomGenerator;

import java.util.UUID;

/**
 * Identifiers for rows written at a high rate (journal entries, holds, outbox events): UUIDv7
 * (RFC 9562), whose first 48 bits are the millisecond they were made. Their index entries land at
 * the right edge of the B-tree instead of a random leaf, so an insert dirties the page the previous
 * one dirtied: random v4 keys touched a cold page per insert, and after every checkpoint each such
 * page went to the WAL whole, which made the ledger's writes several times larger than their rows.
 * The other 74 bits start random in each millisecond and count up within it, so ids made in the
 * same millisecond stay in order. Nothing here relies on an id being hard to guess (every read
 * checks its owner); an id does tell when it was made, which its row's {@code created_at} says too.
 */
public final class Ids {

    // thread-safe
    private static final TimeBasedEpochRandomGenerator GENERATOR = Generators.timeBasedEpochRandomGenerator();

    private Ids() {
    }

    public static UUID next() {
        return GENERATOR.generate();
    }
}
