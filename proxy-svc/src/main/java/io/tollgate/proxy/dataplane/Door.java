package io.tollgate.proxy.dataplane;

/**
 * How a listener tells who may pass: a port's own listener admits its login and password; the
 * pool's admits a user's pool login and picks the exit its options ask for.
 */
interface Door {

    /**
     * The port a connection goes through, or why it may not (with the right credentials), and the pool
     * session it belongs to (null for none); null for wrong credentials.
     */
    record Admission(LivePort port, Relay.Refusal refusal, PoolSession session) {
        Admission(LivePort port, Relay.Refusal refusal) {
            this(port, refusal, null);
        }
    }

    Admission admit(String login, String password);

    /** The admitted port as it is now, or null when it ended. */
    LivePort current(LivePort admitted);
}
