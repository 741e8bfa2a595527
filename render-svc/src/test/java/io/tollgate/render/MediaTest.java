package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Video (ffmpeg) and speech (espeak-ng) renderers, each output read back by ffprobe, an independent reader. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class MediaTest {

    private static JsonNode probe(byte[] media) throws Exception {
        Path file = Files.createTempFile("probe", ".bin");
        try {
            Files.write(file, media);
            Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-show_entries",
                    "stream=codec_name,codec_type,width,height,nb_read_frames,sample_rate:format=duration,format_name", "-of", "json",
                    file.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), new String(out));
            return QueueTest.JSON.readTree(out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static JsonNode result(QueueTest.Caller caller, String model, String body) throws Exception {
        String id = QueueTest.submit(caller, model, body, null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, model, id, "COMPLETED");
        return QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + model + "/requests/" + id).then()
                .statusCode(200).extract().asString());
    }

    @Test
    void a_generated_video_is_an_h264_mp4_of_the_asked_size_and_length_charged_per_second() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String body = "{\"prompt\": \"drifting\", \"duration_seconds\": 2, \"fps\": 12, \"width\": 160, \"height\": 120}";
        given().auth().oauth2(caller.token()).contentType("application/json").body(body).post("/v1/models/local/frames-video/estimate")
                .then().statusCode(200).body("estimated_cost_minor", equalTo(10));
        JsonNode result = result(caller, "local/frames-video", body);
        assertEquals(10, result.path("cost_minor").asInt());
        JsonNode video = result.path("output").path("video");
        assertEquals("video/mp4", video.path("content_type").asText());
        assertEquals(2000, video.path("duration_ms").asInt());
        byte[] mp4 = given().get(QueueTest.local(video.path("url").asText())).then().statusCode(200).contentType("video/mp4").extract()
                .asByteArray();
        JsonNode probed = probe(mp4);
        JsonNode stream = probed.path("streams").get(0);
        assertEquals("h264", stream.path("codec_name").asText());
        assertEquals(160, stream.path("width").asInt());
        assertEquals(120, stream.path("height").asInt());
        assertEquals(24, stream.path("nb_read_frames").asInt(), probed.toString());
        assertTrue(probed.path("format").path("format_name").asText().contains("mp4"), probed.toString());
    }

    @Test
    void speech_is_charged_for_what_was_said_never_more_than_was_held() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String text = "Hello from Tollgate. Your render is ready, 42 seconds early.";
        String id = QueueTest.submit(caller, "local/speech", "{\"text\": \"" + text + "\", \"output_format\": \"mp3\"}", null).then()
                .statusCode(202).extract().path("request_id");
        long held = StandInBilling.HOLDS.get("job:" + id).amountMinor();
        QueueTest.awaitStatus(caller, "local/speech", id, "COMPLETED");
        JsonNode result = QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/local/speech/requests/" + id)
                .then().statusCode(200).extract().asString());
        JsonNode audio = result.path("output").path("audio");
        assertEquals("audio/mpeg", audio.path("content_type").asText());
        byte[] mp3 = given().get(QueueTest.local(audio.path("url").asText())).then().statusCode(200).extract().asByteArray();
        JsonNode probed = probe(mp3);
        assertEquals("mp3", probed.path("streams").get(0).path("codec_name").asText(), probed.toString());
        double seconds = probed.path("format").path("duration").asDouble();
        assertTrue(seconds > 1.5, "a sentence takes more than a second and a half: " + seconds);
        assertEquals(seconds, result.path("usage").path("quantity").asDouble(), 0.2, "charged for what was said");
        long cost = result.path("cost_minor").asLong();
        assertEquals((long) Math.ceil(result.path("usage").path("quantity").asDouble()), cost);
        assertTrue(cost <= held, "never more than was held: " + cost + " of " + held);

        JsonNode wav = result(caller, "local/speech", "{\"text\": \"Guten Tag\", \"voice\": \"de\", \"speed\": 120}");
        byte[] pcm = given().get(QueueTest.local(wav.path("output").path("audio").path("url").asText())).then().statusCode(200)
                .contentType("audio/wav").extract().asByteArray();
        assertEquals("pcm_s16le", probe(pcm).path("streams").get(0).path("codec_name").asText());
    }
}
