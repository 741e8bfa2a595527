package io.tollgate.render.assets;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Assets in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, s3proxy...). Path-style addressing
 * by default, because most self-hosted stores answer only that; checksums are sent only where the
 * API requires them, because not every compatible store reads the SDK's newer trailing checksums.
 * The bucket is created at start when {@code create-bucket} is on and it is missing.
 */
public final class S3AssetStore implements AssetStore, AutoCloseable {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String endpoint;

    public S3AssetStore(Optional<URI> endpoint, String region, String bucket, String prefix, Optional<String> accessKey,
                        Optional<String> secretKey, boolean pathStyle, boolean createBucket, Duration timeout) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout).build())
                .credentialsProvider(accessKey.isPresent() && secretKey.isPresent()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get(), secretKey.get()))
                        : DefaultCredentialsProvider.builder().build());
        endpoint.ifPresent(builder::endpointOverride);
        this.s3 = builder.build();
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        this.endpoint = endpoint.map(URI::toString).orElse("AWS " + region);
        if (createBucket) {
            try {
                s3.headBucket(b -> b.bucket(bucket));
            } catch (NoSuchBucketException e) {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
                s3.createBucket(b -> b.bucket(bucket));
            }
        }
    }

    @Override
    public String put(UUID id, byte[] bytes) {
        String key = AssetStore.keyOf(id);
        s3.putObject(b -> b.bucket(bucket).key(prefix + key).contentLength((long) bytes.length), RequestBody.fromBytes(bytes));
        return key;
    }

    @Override
    public byte[] read(String key, long from, long to) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + key).range("bytes=" + from + "-" + to)).asByteArray();
    }

    @Override
    public byte[] readAll(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + key)).asByteArray();
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(prefix + key));
    }

    @Override
    public String describe() {
        return "S3 bucket " + bucket + (prefix.isEmpty() ? "" : " under " + prefix) + " at " + endpoint;
    }

    @Override
    public void close() {
        s3.close();
    }
}
