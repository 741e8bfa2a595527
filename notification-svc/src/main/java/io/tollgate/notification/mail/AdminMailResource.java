package io.tollgate.notification.mail;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Platform administrators: send any template to check the mail set-up; read the sent-mail log. */
@Path("/v1/admin/notifications")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin")
public class AdminMailResource {

    public record TestEmail(String template, String to) {
    }

    public record SentOne(String id, boolean ok, String detail) {
    }

    public record TestEmailResult(String to, List<SentOne> sent) {
    }

    public record MailLogEntry(UUID id, UUID userId, UUID tenantId, String recipient, String template, String category, String subject,
                               String status, String detail, Instant createdAt) {
    }

    private final CurrentPrincipal principal;
    private final Postman postman;
    private final MailLinks links;
    private final Pool pool;

    public AdminMailResource(CurrentPrincipal principal, Postman postman, Pool pool, MailLinks links) {
        this.links = links;
        this.principal = principal;
        this.postman = postman;
        this.pool = pool;
    }

    @POST
    @Path("/test-email")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send one template (or \"all\") with sample data to an address (default: the caller's) in the caller's tenant branding")
    public Uni<TestEmailResult> testEmail(TestEmail body) {
        Principal caller = admin();
        String template = body == null || body.template() == null ? "all" : body.template();
        List<MailKind> kinds;
        if (template.equals("all")) {
            kinds = Arrays.asList(MailKind.values());
        } else {
            kinds = List.of(MailKind.byTemplate(template).orElseThrow(() -> ProblemException.validation("template",
                    "must be all or one of " + Arrays.stream(MailKind.values()).map(MailKind::template).toList())));
        }
        String to = body == null ? null : body.to();
        if (to != null && !to.matches("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")) {
            throw ProblemException.validation("to", "must be an e-mail address");
        }
        Uni<String> address = to != null ? Uni.createFrom().item(to)
                : pool.preparedQuery("select email from mail_recipients where user_id = $1").execute(Tuple.of(caller.userUuid()))
                        .map(rows -> {
                            if (rows.size() == 0) {
                                throw ProblemException.validation("to", "is required: no address is known for the caller");
                            }
                            return rows.iterator().next().getString(0);
                        });
        return address.chain(recipient -> Multi.createFrom().iterable(kinds)
                .onItem().transformToUniAndConcatenate(kind -> postman.send(new Postman.Letter(kind, caller.userUuid(), caller.tenantId(),
                                recipient, "Administrator", sample(kind, caller.tenantId()), null, true))
                        .map(o -> new SentOne(kind.template(), o.sent(), o.detail()))
                        .onFailure().recoverWithItem(e -> new SentOne(kind.template(), false, e.getMessage())))
                .collect().asList()
                .map(sent -> new TestEmailResult(recipient, sent)));
    }

    @GET
    @Path("/mail-log")
    @Operation(summary = "Mail sent and suppressed, newest first; filter by recipient, template, status (sent, failed, suppressed)")
    public Uni<Page<MailLogEntry>> mailLog(@QueryParam("recipient") String recipient, @QueryParam("template") String template,
                                          @QueryParam("status") String status, @Valid @BeanParam PageRequest page) {
        admin();
        if (status != null && !List.of("sent", "failed", "suppressed").contains(status)) {
            throw ProblemException.validation("status", "must be sent, failed or suppressed");
        }
        String where = " from mail_log where ($1::text is null or recipient = $1) and ($2::text is null or template = $2)"
                + " and ($3::text is null or status = $3)";
        Tuple filters = Tuple.of(recipient, template, status);
        return pool.preparedQuery("select count(*)" + where).execute(filters).map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select *" + where + " order by created_at desc, id limit $4 offset $5")
                        .execute(Tuple.of(recipient, template, status, page.size(), page.offset()))
                        .map(rows -> {
                            List<MailLogEntry> data = new ArrayList<>();
                            for (Row r : rows) {
                                data.add(new MailLogEntry(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getString("recipient"),
                                        r.getString("template"), r.getString("category"), r.getString("subject"), r.getString("status"),
                                        r.getString("detail"), r.getOffsetDateTime("created_at").toInstant()));
                            }
                            return Page.of(data, page, total);
                        }));
    }

    private Principal admin() {
        Principal caller = principal.get();
        caller.requirePlatformAdmin();
        return caller;
    }

    /** Sample data, with the link a real mail of the kind carries (a sample token or payment, which its page calls unknown). */
    private Map<String, Object> sample(MailKind kind, UUID tenant) {
        UUID payment = new UUID(0, 0);
        String action = switch (kind) {
            case VERIFY_EMAIL -> links.verifyEmail("sample-token");
            case PASSWORD_RESET -> links.resetPassword("sample-token");
            case TOPUP_SUCCEEDED, PAYMENT_FAILED -> links.payment(payment);
            case RENDER_FINISHED, RENDER_FAILED -> links.landing(tenant, MailLinks.Section.RENDER_JOBS);
            case WEBHOOK_DISABLED -> links.landing(tenant, MailLinks.Section.WEBHOOKS);
            case TRAFFIC_EXHAUSTED, TRAFFIC_THRESHOLD, PORT_SUSPENDED -> links.landing(tenant, MailLinks.Section.TRAFFIC);
            case PORT_EXPIRING -> links.landing(tenant, MailLinks.Section.PORTS);
            case PORT_RENEWAL_FAILED -> links.landing(tenant, MailLinks.Section.TOP_UP);
            case WELCOME, LOW_BALANCE -> links.landing(tenant, MailLinks.Section.TOP_UP);
        };
        Map<String, Object> data = new HashMap<>(Map.of("actionUrl", action, "code", "123456", "expiresAt", Instant.now().plusSeconds(3_600).toString(),
                "amount", "25.00 USD", "credited", "27.50 USD", "paymentId", payment.toString(), "provider", "stripe",
                "date", "1 Jan 2026, 12:00 UTC", "reason", "a sample reason", "available", "3.00 USD"));
        data.putAll(Map.of("threshold", "5.00 USD", "jobId", "job_sample", "model", "sample-model", "cost", "0.42 USD",
                "url", "https://partner.example/hooks"));
        data.putAll(Map.of("kind", "shared", "overage", "0.10 GB", "port", "US T-Mobile 1", "portName", "port-sample", "country", "US",
                "portsUrl", links.landing(tenant, MailLinks.Section.PORTS)));
        data.putAll(Map.of("percent", 80, "used", "0.80 GB", "allowance", "1.00 GB", "full", false));
        data.putAll(Map.of("days", "30", "retry", "We try again at 1 Jan 2026, 12:15 UTC."));
        return data;
    }
}
