package io.tollgate.render.renderers;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Every renderer bean, by the name models use. */
@ApplicationScoped
public class Renderers {

    private final Map<String, Renderer> byName = new HashMap<>();

    public Renderers(Instance<Renderer> renderers) {
        for (Renderer renderer : renderers) {
            byName.put(renderer.name(), renderer);
        }
    }

    public Optional<Renderer> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
