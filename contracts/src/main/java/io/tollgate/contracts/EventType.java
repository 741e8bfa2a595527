package io.tollgate.contracts;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The CloudEvents {@code type} of an event payload record, e.g.
 * {@code tollgate.billing.payment.succeeded.v1}. Its JSON Schema lives at
 * {@code events/<service>/<entity.action>.v1.json} (see {@link EventSchemas#schemaPath(String)}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    String value();

    /** The Kafka topic the owning service writes this event to. */
    String topic();
}
