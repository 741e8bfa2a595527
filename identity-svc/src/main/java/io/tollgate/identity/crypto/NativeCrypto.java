package io.tollgate.identity.crypto;

import org.jboss.logging.Logger;

/**
 * Puts the Amazon Corretto Crypto Provider (AWS-LC) first for the algorithms it implements, RSA
 * signing above all: token issuing is mostly RSA-2048 signatures. Where its native library
 * cannot load (another OS or CPU), the JDK's own providers are used and this says so once.
 */
public final class NativeCrypto {

    private static final Logger LOG = Logger.getLogger(NativeCrypto.class);
    private static volatile boolean tried;

    private NativeCrypto() {
    }

    public static synchronized void install() {
        if (tried) {
            return;
        }
        tried = true;
        try {
            var provider = com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
            provider.assertHealthy();
            com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.install();
            LOG.infof("crypto: %s %s is the first provider", provider.getName(), provider.getVersionStr());
        } catch (Throwable e) {
            LOG.warnf("crypto: native provider unavailable (%s); using the JDK's", e.toString());
        }
    }
}
