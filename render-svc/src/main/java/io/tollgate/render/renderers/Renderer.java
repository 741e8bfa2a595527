package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;

import java.math.BigDecimal;
import java.util.List;

/**
 * Something that turns a model's validated input into files. Local renderers make them on this
 * machine; a remote provider's adapter fetches them. Either way the files become our assets.
 */
public interface Renderer {

    /** The {@code renderer} name models refer to. */
    String name();

    /** Renders; checks {@link Progress#cancelled()} between steps and stops with {@link Cancelled} when asked to. */
    Rendered render(Model model, ObjectNode input, Progress progress) throws Exception;

    /** One produced file. */
    record File(byte[] bytes, String contentType, Integer width, Integer height, Integer durationMs) {
    }

    /** What was produced, and how much of the model's price unit that is (what is charged). */
    record Rendered(List<File> files, BigDecimal quantity) {
    }

    /** The worker's side of a running job. */
    interface Progress {
        void step(int step, int total, String message);

        void log(String level, String message);

        boolean cancelled();
    }

    /** Thrown by a renderer that saw the job's cancellation. */
    final class Cancelled extends RuntimeException {
        public Cancelled() {
            super("cancelled", null, false, false);
        }
    }
}
