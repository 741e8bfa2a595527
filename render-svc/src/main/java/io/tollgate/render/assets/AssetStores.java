package io.tollgate.render.assets;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Chooses the asset store from {@code tollgate.render.assets.store}: {@code local} (the default) or {@code s3}. */
public class AssetStores {

    private static final Logger LOG = Logger.getLogger(AssetStores.class);

    @Produces
    @Singleton
    @Startup
    AssetStore store(@ConfigProperty(name = "tollgate.render.assets.store", defaultValue = "local") String kind,
                     @ConfigProperty(name = "tollgate.render.assets.dir", defaultValue = "${java.io.tmpdir}/tollgate-render-assets") String dir,
                     @ConfigProperty(name = "tollgate.render.assets.s3.endpoint") Optional<URI> endpoint,
                     @ConfigProperty(name = "tollgate.render.assets.s3.region", defaultValue = "us-east-1") String region,
                     @ConfigProperty(name = "tollgate.render.assets.s3.bucket", defaultValue = "tollgate-render-assets") String bucket,
                     @ConfigProperty(name = "tollgate.render.assets.s3.prefix") Optional<String> prefix,
                     @ConfigProperty(name = "tollgate.render.assets.s3.access-key") Optional<String> accessKey,
                     @ConfigProperty(name = "tollgate.render.assets.s3.secret-key") Optional<String> secretKey,
                     @ConfigProperty(name = "tollgate.render.assets.s3.path-style", defaultValue = "true") boolean pathStyle,
                     @ConfigProperty(name = "tollgate.render.assets.s3.create-bucket", defaultValue = "true") boolean createBucket,
                     @ConfigProperty(name = "tollgate.render.assets.s3.timeout", defaultValue = "PT30S") Duration timeout) {
        AssetStore store = switch (kind) {
            case "local" -> new DiskAssetStore(Path.of(dir));
            case "s3" -> new S3AssetStore(endpoint, region, bucket, prefix.orElse(""), accessKey, secretKey, pathStyle, createBucket, timeout);
            default -> throw new IllegalStateException("tollgate.render.assets.store is " + kind + "; it takes local or s3");
        };
        LOG.infof("render assets are kept in %s", store.describe());
        return store;
    }

    void close(@Disposes AssetStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
