package io.tollgate.render.assets;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/** Assets on local disk under one directory: written to a temporary file and moved into place. */
public final class DiskAssetStore implements AssetStore {

    private final Path root;

    public DiskAssetStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
    }

    @Override
    public String put(UUID id, byte[] bytes) {
        String key = AssetStore.keyOf(id);
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), id.toString(), ".part");
            Files.write(temp, bytes);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store asset " + id, e);
        }
    }

    @Override
    public byte[] read(String key, long from, long to) {
        byte[] bytes = new byte[Math.toIntExact(to - from + 1)];
        try (RandomAccessFile file = new RandomAccessFile(path(key).toFile(), "r")) {
            file.seek(from);
            file.readFully(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read asset " + key, e);
        }
    }

    @Override
    public byte[] readAll(String key) {
        try {
            return Files.readAllBytes(path(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read asset " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(path(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete asset " + key, e);
        }
    }

    @Override
    public String describe() {
        return "local disk " + root;
    }

    private Path path(String key) {
        Path resolved = root.resolve(key).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("bad storage key");
        }
        return resolved;
    }
}
