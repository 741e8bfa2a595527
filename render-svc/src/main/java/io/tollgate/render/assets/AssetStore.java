package io.tollgate.render.assets;

import java.util.UUID;

/**
 * Where the bytes of assets live: local disk by default ({@link DiskAssetStore}), or an
 * S3-compatible bucket ({@link S3AssetStore}) with {@code tollgate.render.assets.store=s3}. The
 * database keeps what an asset is; the store only keeps its bytes under a key. Calls block (disk
 * or network I/O): callers run them off the event loop.
 */
public interface AssetStore {

    /** Stores {@code bytes} whole (a reader never sees part of them) and returns the key to read them by. */
    String put(UUID id, byte[] bytes);

    /** Bytes {@code from} to {@code to}, both inclusive, of what {@code key} holds. */
    byte[] read(String key, long from, long to);

    /** Everything {@code key} holds. */
    byte[] readAll(String key);

    /** Forgets {@code key}; a key that is already gone is not an error. */
    void delete(String key);

    /** Where the bytes go, for the start-up log. */
    String describe();

    /** The key an asset's bytes are stored under: spread over 256 prefixes. */
    static String keyOf(UUID id) {
        return id.toString().substring(0, 2) + "/" + id;
    }
}
