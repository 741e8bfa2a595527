package io.tollgate.render.assets;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The bytes of assets, on local disk under {@code tollgate.render.assets.dir}: written to a
 * temporary file and moved into place, so a reader never sees half a file.
 */
@ApplicationScoped
public class AssetStore {

    private final Path root;

    public AssetStore(@ConfigProperty(name = "tollgate.render.assets.dir", defaultValue = "${java.io.tmpdir}/tollgate-render-assets")
                      String root) {
        this.root = Path.of(root);
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
    }

    /** Stores {@code bytes} and returns the key to read them by. */
    public String put(UUID id, byte[] bytes) {
        String key = id.toString().substring(0, 2) + "/" + id;
        Path target = root.resolve(key);
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

    public Path path(String key) {
        Path resolved = root.resolve(key).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("bad storage key");
        }
        return resolved;
    }

    public void delete(String key) {
        try {
            Files.deleteIfExists(path(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete asset " + key, e);
        }
    }
}
