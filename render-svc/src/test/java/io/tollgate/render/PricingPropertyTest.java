package io.tollgate.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.render.catalog.CatalogService;
import io.tollgate.render.catalog.InputValidation;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.pricing.Pricing;
import io.tollgate.render.renderers.Renderer;
import io.tollgate.render.renderers.Renderers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For random valid inputs of every local model: the estimate (what is held) equals the price of
 * what the renderer actually produced (what is captured), and the charge is never below the
 * model's minimum or above the unrounded price plus one minor unit.
 */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
class PricingPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CatalogService catalog;
    private final InputValidation inputs;
    private final Pricing pricing;
    private final Renderers renderers;

    PricingPropertyTest(CatalogService catalog, InputValidation inputs, Pricing pricing, Renderers renderers) {
        this.catalog = catalog;
        this.inputs = inputs;
        this.pricing = pricing;
        this.renderers = renderers;
    }

    @Test
    void what_is_estimated_is_what_a_successful_render_is_charged() throws Exception {
        SplittableRandom random = new SplittableRandom(20261201);
        AtomicReference<String> providerRequest = new AtomicReference<>();
        Renderer.Progress quiet = new Renderer.Progress() {
            public UUID jobId() {
                return UUID.randomUUID();
            }

            public Optional<String> providerRequest() {
                return Optional.ofNullable(providerRequest.get());
            }

            public void providerRequest(String requestId) {
                providerRequest.set(requestId);
            }

            public void step(int step, int total, String message) {
            }

            public void log(String level, String message) {
            }

            public boolean cancelled() {
                return false;
            }
        };
        for (String id : List.of("local/procedural-image", "local/megapixel-image", "local/text-cover", "sandbox/fast-image",
                "local/frames-video", "local/speech")) {
            Model model = catalog.model(id).await().indefinitely();
            // the remote model runs at the provider sandbox, video and speech run ffmpeg and espeak-ng: fewer rounds
            for (int i = 0; i < (id.startsWith("local/procedural") || id.startsWith("local/megapixel") || id.equals("local/text-cover")
                    ? 25 : 5); i++) {
                providerRequest.set(null);
                ObjectNode raw = JSON.createObjectNode();
                if (id.equals("local/text-cover")) {
                    raw.put("title", "Title " + random.nextInt(1000)).put("width", 200 + random.nextInt(400))
                            .put("height", 200 + random.nextInt(400));
                } else if (id.equals("local/frames-video")) {
                    raw.put("prompt", "v" + random.nextInt()).put("duration_seconds", 1 + random.nextInt(2)).put("fps", 12)
                            .put("width", 64 + 2 * random.nextInt(48)).put("height", 64 + 2 * random.nextInt(32));
                } else if (id.equals("local/speech")) {
                    raw.put("text", "Order " + random.nextInt(100_000) + " is ready, thank you.").put("speed", 120 + random.nextInt(200));
                } else {
                    raw.put("prompt", "p" + random.nextInt()).put("seed", random.nextInt(1_000_000))
                            .put("width", 64 + random.nextInt(300)).put("height", 64 + random.nextInt(300))
                            .put("num_images", 1 + random.nextInt(4));
                }
                ObjectNode input = inputs.check(model, raw);
                long held = pricing.quote(model, input).costMinor();
                Renderer.Rendered rendered = renderers.named(model.renderer()).orElseThrow().render(model, input, quiet);
                long captured = pricing.quote(model, rendered.quantity()).costMinor();
                if (id.equals("local/speech")) {
                    // the one overestimating model: what is said is charged, at most what was held
                    assertTrue(captured <= held, id + " charged " + captured + " over the " + held + " held: " + input);
                } else {
                    assertEquals(held, captured, id + " " + input);
                }
                assertTrue(held * 1_000_000 >= model.minPriceMicros(), id + " below its minimum: " + held);
                if (id.equals("local/procedural-image")) {
                    assertEquals(input.path("num_images").asInt(), rendered.files().size());
                }
            }
        }
    }
}
