package io.tollgate.notification;

import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.CreditsClawedBack;
import io.tollgate.contracts.billing.CreditsGranted;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.contracts.identity.EmailVerified;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.contracts.notification.WebhookEndpointDisabled;
import io.tollgate.contracts.proxy.PortCreated;
import io.tollgate.contracts.proxy.PortDeleted;
import io.tollgate.contracts.proxy.PortExpired;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortRenewalFailed;
import io.tollgate.contracts.proxy.PortRenewed;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.proxy.PortUnsuspended;
import io.tollgate.contracts.render.JobCancelled;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which channels each event reaches: the one table the in-app, mail and webhook handlers read.
 * (The in-app notice of a disabled webhook endpoint is written with the disabling itself.)
 */
public final class Routing {

    public enum Channel { IN_APP, EMAIL, WEBHOOK }

    private static final Map<String, Set<Channel>> ROUTES = new LinkedHashMap<>();

    static {
        route(VerificationRequested.TYPE, Channel.EMAIL);
        route(PasswordResetRequested.TYPE, Channel.EMAIL);
        route(EmailVerified.TYPE, Channel.EMAIL);
        route(PaymentSucceeded.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(PaymentFailed.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(BalanceLow.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(CreditsGranted.TYPE, Channel.IN_APP, Channel.WEBHOOK);
        route(CreditsClawedBack.TYPE, Channel.IN_APP, Channel.WEBHOOK);
        route(InvoiceIssued.TYPE, Channel.IN_APP, Channel.WEBHOOK);
        route(JobCompleted.TYPE, Channel.EMAIL, Channel.WEBHOOK);
        route(JobFailed.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(JobCancelled.TYPE, Channel.WEBHOOK);
        route(WebhookEndpointDisabled.TYPE, Channel.EMAIL);
        route(AllowanceExhausted.TYPE, Channel.IN_APP, Channel.EMAIL);
        route(TrafficThresholdCrossed.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(PortCreated.TYPE, Channel.WEBHOOK);
        route(PortDeleted.TYPE, Channel.WEBHOOK);
        route(PortRotated.TYPE, Channel.WEBHOOK);
        route(PortExpiring.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(PortExpired.TYPE, Channel.IN_APP, Channel.WEBHOOK);
        route(PortSuspended.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
        route(PortUnsuspended.TYPE, Channel.IN_APP, Channel.WEBHOOK);
        route(PortRenewed.TYPE, Channel.IN_APP, Channel.WEBHOOK);
        route(PortRenewalFailed.TYPE, Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK);
    }

    private Routing() {
    }

    private static void route(String type, Channel first, Channel... rest) {
        ROUTES.put(type, EnumSet.of(first, rest));
    }

    public static boolean routes(String type, Channel channel) {
        Set<Channel> channels = ROUTES.get(type);
        return channels != null && channels.contains(channel);
    }

    public static Map<String, Set<Channel>> all() {
        return Map.copyOf(ROUTES);
    }
}
