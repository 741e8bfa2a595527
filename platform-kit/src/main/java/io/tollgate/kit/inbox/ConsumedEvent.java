package io.tollgate.kit.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;

/** A CloudEvent read from Kafka, with where it came from. */
public record ConsumedEvent(String id, String type, String source, String subject, OffsetDateTime time,
                            byte[] data, String key, String topic, int partition, long offset) {

    public <T> T data(ObjectMapper json, Class<T> type) {
        try {
            return json.readValue(data, type);
        } catch (IOException e) {
            throw new UncheckedIOException("event " + id + " of type " + this.type + " has an unreadable body", e);
        }
    }
}
