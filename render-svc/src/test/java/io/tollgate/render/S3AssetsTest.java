package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.render.assets.AssetRetention;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Assets kept in an S3-compatible bucket (a real s3proxy process) instead of on local disk. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
@QuarkusTestResource(value = S3Server.class, restrictToAnnotatedClass = true)
class S3AssetsTest {

    private final Pool pool;
    private final AssetRetention retention;

    S3AssetsTest(Pool pool, AssetRetention retention) {
        this.pool = pool;
        this.retention = retention;
    }

    private String storageKey(UUID asset) {
        return pool.preparedQuery("select storage_key from assets where id = $1").execute(Tuple.of(asset)).await().indefinitely()
                .iterator().next().getString(0);
    }

    private static UUID assetOf(String url) {
        String path = URI.create(url).getPath();
        return UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
    }

    private static byte[] inBucket(String key) {
        return S3Server.client.getObjectAsBytes(b -> b.bucket(S3Server.BUCKET).key(S3Server.PREFIX + key)).asByteArray();
    }

    @Test
    void a_job_output_is_written_to_the_bucket_served_in_ranges_and_deleted_there_when_it_expires() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String id = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"a fox in a bucket\", \"seed\": 11, \"width\": 320,"
                + " \"height\": 200, \"num_images\": 1}", null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
        JsonNode result = QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + QueueTest.MODEL
                + "/requests/" + id).then().statusCode(200).extract().asString());
        String url = result.path("output").path("images").get(0).path("url").asText();
        UUID asset = assetOf(url);

        Response whole = given().get(QueueTest.local(url));
        whole.then().statusCode(200).contentType("image/png").header("ETag", notNullValue());
        byte[] served = whole.asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(served));
        assertEquals(320, image.getWidth());
        assertEquals(200, image.getHeight());
        String key = storageKey(asset);
        assertArrayEquals(served, inBucket(key), "the bytes served are the bytes in the bucket");

        byte[] part = given().header("Range", "bytes=10-109").get(QueueTest.local(url)).then().statusCode(206)
                .header("Content-Range", "bytes 10-109/" + served.length).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(served, 10, 110), part);
        byte[] tail = given().header("Range", "bytes=-16").get(QueueTest.local(url)).then().statusCode(206).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(served, served.length - 16, served.length), tail);

        pool.preparedQuery("update assets set expires_at = now() - interval '1 minute' where id = $1").execute(Tuple.of(asset))
                .await().indefinitely();
        int purged = retention.purge(1000).await().indefinitely();
        assertFalse(purged < 1, "the expired asset was purged");
        assertThrows(NoSuchKeyException.class, () -> inBucket(key));
        given().get(QueueTest.local(url)).then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void an_upload_is_kept_in_the_bucket_and_the_image_edit_reads_it_from_there() throws Exception {
        BufferedImage picture = new BufferedImage(240, 160, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = picture.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(0, 0, 240, 160);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        QueueTest.Caller caller = QueueTest.caller();
        Response kept = given().auth().oauth2(caller.token()).multiPart("file", "picture", png.toByteArray(), "image/png")
                .post("/v1/me/uploads");
        kept.then().statusCode(201);
        UUID upload = UUID.fromString(kept.path("asset_id"));
        assertArrayEquals(png.toByteArray(), inBucket(storageKey(upload)));

        String id = QueueTest.submit(caller, "local/image-edit", "{\"image_url\": \"asset:" + upload + "\", \"width\": 120,"
                + " \"output_format\": \"png\"}", null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, "local/image-edit", id, "COMPLETED");
        JsonNode result = QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/local/image-edit/requests/" + id)
                .then().statusCode(200).extract().asString());
        JsonNode out = result.path("output").path("images").get(0);
        assertEquals(120, out.path("width").asInt());
        byte[] edited = given().get(QueueTest.local(out.path("url").asText())).then().statusCode(200).contentType("image/png")
                .extract().asByteArray();
        assertEquals(80, ImageIO.read(new ByteArrayInputStream(edited)).getHeight());
        assertArrayEquals(edited, inBucket(storageKey(assetOf(out.path("url").asText()))));
    }
}
