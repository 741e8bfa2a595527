package io.tollgate.render.renderers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.render.catalog.Model;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.List;

/**
 * Produces nothing at once: the queue, the leases, the holds and the captures without any
 * rendering, for measuring the platform's own cost per job ({@code bench/render/}). No model of
 * the seeded catalogue uses it; the benchmark adds one.
 */
@ApplicationScoped
public class NoopRenderer implements Renderer {

    @Override
    public String name() {
        return "noop";
    }

    @Override
    public Rendered render(Model model, ObjectNode input, Progress progress) {
        progress.step(1, 1, "nothing to do");
        return new Rendered(List.of(), BigDecimal.ONE);
    }
}
