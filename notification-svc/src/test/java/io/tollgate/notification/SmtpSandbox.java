package io.tollgate.notification;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tollgate.sandbox.MailSandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The SMTP server notification-svc sends to in tests (the mail sandbox, which keeps every
 * message). Each test class that reads mail declares it with {@code @QuarkusTestResource}.
 */
public class SmtpSandbox implements QuarkusTestResourceLifecycleManager {

    private static volatile MailSandbox running;

    /** The running server's messages. */
    public static MailSandbox mail() {
        return running;
    }

    @Override
    public Map<String, String> start() {
        try {
            running = MailSandbox.start(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("tollgate.smtp.port", Integer.toString(running.port()));
    }

    @Override
    public void stop() {
        running.close();
    }
}
