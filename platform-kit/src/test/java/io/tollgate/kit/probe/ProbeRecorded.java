package io.tollgate.kit.probe;

import io.tollgate.contracts.EventType;

import java.util.UUID;

@EventType(value = ProbeRecorded.TYPE, topic = ProbeRecorded.TOPIC)
public record ProbeRecorded(UUID recordId, String name, long amountMinor) {
    public static final String TYPE = "tollgate.kit.probe.recorded.v1";
    public static final String TOPIC = "kit.events";
}
