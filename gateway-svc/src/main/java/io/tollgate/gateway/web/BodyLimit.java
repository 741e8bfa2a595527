package io.tollgate.gateway.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request body of unknown length (chunked) passed through while counting: past {@code max}
 * bytes the stream stops and {@code onOverflow} runs once.
 */
public final class BodyLimit implements ReadStream<Buffer> {

    private final ReadStream<Buffer> source;
    private final long max;
    private final Runnable onOverflow;
    private long seen;
    private boolean overflowed;

    public BodyLimit(ReadStream<Buffer> source, long max, Runnable onOverflow) {
        this.source = source;
        this.max = max;
        this.onOverflow = onOverflow;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        source.exceptionHandler(handler);
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        if (handler == null) {
            source.handler(null);
            return this;
        }
        source.handler(chunk -> {
            if (overflowed) {
                return;
            }
            seen += chunk.length();
            if (seen > max) {
                overflowed = true;
                onOverflow.run();
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        source.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        source.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        source.fetch(amount);
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        source.endHandler(v -> {
            if (!overflowed && endHandler != null) {
                endHandler.handle(v);
            }
        });
        return this;
    }
}
