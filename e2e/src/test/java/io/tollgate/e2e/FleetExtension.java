package io.tollgate.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Starts the fleet once for the whole e2e run and stops it when the run ends. */
public class FleetExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FleetExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        fleet(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Fleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return fleet(context);
    }

    private static Fleet fleet(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("fleet", key -> new Running(Fleet.start()), Running.class).fleet;
    }

    private record Running(Fleet fleet) implements AutoCloseable {
        @Override
        public void close() {
            fleet.close();
        }
    }
}
