package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

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
        /** The job's id (the API's {@code request_id}), for example as a provider's idempotency key. */
        UUID jobId();

        void step(int step, int total, String message);

        void log(String level, String message);

        boolean cancelled();

        /** The provider's id for this job's request, recorded by an earlier attempt (a retry resumes it instead of resubmitting). */
        Optional<String> providerRequest();

        /** Records the provider's id for this job's request before anything waits on it. */
        void providerRequest(String requestId);
    }

    /**
     * Thrown when the work cannot succeed: {@code retryable} when another attempt may (the provider
     * was unreachable or overloaded), not when it was refused or failed at the provider itself (bad
     * input, a crashed model the provider already retried). {@code code} is the failure's category.
     */
    final class Failed extends RuntimeException {
        private final boolean retryable;
        private final String code;

        public Failed(String code, String message, boolean retryable) {
            super(message, null, false, false);
            this.code = code;
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }

        public String code() {
            return code;
        }
    }

    /** Thrown by a renderer that saw the job's cancellation. */
    final class Cancelled extends RuntimeException {
        public Cancelled() {
            super("cancelled", null, false, false);
        }
    }
}
