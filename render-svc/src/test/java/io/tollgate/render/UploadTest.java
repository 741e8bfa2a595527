package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Uploads (session only, typed by their bytes, capped) and the local model that edits them. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class UploadTest {

    private static final String EDIT = "local/image-edit";

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static Response upload(String token, byte[] bytes, String type) {
        return given().auth().oauth2(token).multiPart("file", "picture", bytes, type).post("/v1/me/uploads");
    }

    @Test
    void an_upload_is_kept_behind_a_signed_link_and_refused_when_not_what_it_says_or_too_large() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        byte[] picture = png(300, 200);
        Response kept = upload(caller.token(), picture, "image/png");
        kept.then().statusCode(201).body("content_type", equalTo("image/png")).body("size_bytes", equalTo(picture.length))
                .body("width", equalTo(300)).body("height", equalTo(200)).body("url", startsWith("http"));
        byte[] back = given().get(QueueTest.local(kept.path("url"))).then().statusCode(200).contentType("image/png").extract()
                .asByteArray();
        assertArrayEquals(picture, back);

        UUID user = UUID.randomUUID();
        String key = TestTokens.user(user, CatalogTest.TENANT).apiKey(UUID.randomUUID(), "render:create", "render:read").sign();
        upload(key, picture, "image/png").then().statusCode(403).contentType("application/problem+json");
        upload(caller.token(), "plain words".getBytes(), "text/plain").then().statusCode(415)
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
        upload(caller.token(), "not a png at all".getBytes(), "image/png").then().statusCode(415)
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
        byte[] big = Arrays.copyOf(picture, 1_100_000);
        upload(caller.token(), big, "image/png").then().statusCode(413).contentType("application/problem+json")
                .body("code", equalTo("PAYLOAD_TOO_LARGE"));
        given().auth().oauth2(caller.token()).multiPart("other", "x", picture, "image/png").post("/v1/me/uploads").then()
                .statusCode(400).body("errors[0].field", equalTo("file"));
    }

    @Test
    void an_upload_is_cropped_resized_and_converted_and_someone_elses_is_refused_at_submit() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        Response kept = upload(caller.token(), png(300, 200), "image/png");
        String url = kept.path("url");
        String id = QueueTest.submit(caller, EDIT, "{\"image_url\": \"" + url + "\", \"crop\": {\"x\": 0, \"y\": 0, \"width\": 200,"
                + " \"height\": 200}, \"width\": 100, \"output_format\": \"jpeg\"}", null).then().statusCode(202)
                .body("estimated_cost_minor", equalTo(1)).extract().path("request_id");
        QueueTest.awaitStatus(caller, EDIT, id, "COMPLETED");
        JsonNode result = QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + EDIT + "/requests/" + id)
                .then().statusCode(200).extract().asString());
        JsonNode image = result.path("output").path("images").get(0);
        assertEquals("image/jpeg", image.path("content_type").asText());
        byte[] jpeg = given().get(QueueTest.local(image.path("url").asText())).then().statusCode(200).contentType("image/jpeg")
                .extract().asByteArray();
        BufferedImage edited = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertEquals(100, edited.getWidth());
        assertEquals(100, edited.getHeight());
        // the crop was the top-left square: its top-left quarter is blue
        Color corner = new Color(edited.getRGB(10, 10));
        assertEquals(true, corner.getBlue() > 200 && corner.getRed() < 60, corner.toString());

        String asAsset = "asset:" + kept.path("asset_id");
        String second = QueueTest.submit(caller, EDIT, "{\"image_url\": \"" + asAsset + "\", \"width\": 150, \"height\": 150,"
                + " \"fit\": \"cover\"}", null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, EDIT, second, "COMPLETED");

        QueueTest.Caller stranger = QueueTest.caller();
        QueueTest.submit(stranger, EDIT, "{\"image_url\": \"" + url + "\", \"width\": 64}", null).then().statusCode(422)
                .contentType("application/problem+json").body("errors[0].field", equalTo("image_url"));
        QueueTest.submit(stranger, EDIT, "{\"image_url\": \"https://example.com/cat.png\", \"width\": 64}", null).then().statusCode(422)
                .body("errors[0].field", equalTo("image_url"));
        given().auth().oauth2(stranger.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
    }
}
