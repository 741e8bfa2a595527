package io.tollgate.e2e;

import io.tollgate.sandbox.MailSandbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A caught mail read as its reader sees it: headers unfolded, quoted-printable undone, its links. */
final class MailText {

    private MailText() {
    }

    /** The first mail to {@code to} with {@code subject}, waiting up to a minute for it. */
    static MailSandbox.Message await(Fleet fleet, String to, String subject) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            for (MailSandbox.Message m : fleet.mail().messagesTo(to)) {
                if (m.subject().equals(subject)) {
                    return m;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no mail '" + subject + "' to " + to + " within 60 s");
    }

    static String unfold(String raw) {
        return raw.replaceAll("\r?\n[ \t]+", " ");
    }

    /** The parts sent quoted-printable decoded (soft breaks and escapes undone), so the text reads as written; 7bit parts as they are. */
    static String decoded(String raw) {
        StringBuilder out = new StringBuilder();
        for (String part : raw.split("(?=\r?\n--)")) {
            int blank = part.indexOf("\n\n") >= 0 ? part.indexOf("\n\n") : part.indexOf("\r\n\r\n");
            String headers = blank < 0 ? part : part.substring(0, blank);
            out.append(headers.toLowerCase(java.util.Locale.ROOT).contains("content-transfer-encoding: quoted-printable") ? quotedPrintable(part) : part);
        }
        return out.toString();
    }

    private static String quotedPrintable(String text) {
        byte[] bytes = text.replaceAll("=\r?\n", "").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '=' && i + 2 < bytes.length && Character.digit(bytes[i + 1], 16) >= 0 && Character.digit(bytes[i + 2], 16) >= 0) {
                out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The address of the HTML part's link whose text is {@code text}. */
    static String link(MailSandbox.Message mail, String text) {
        Matcher m = Pattern.compile("<a href=\"([^\"]+)\"[^>]*>" + Pattern.quote(text) + "</a>").matcher(decoded(mail.data()));
        if (!m.find()) {
            throw new AssertionError("no link '" + text + "' in " + mail.subject() + ":\n" + decoded(mail.data()));
        }
        return m.group(1).replace("&amp;", "&");
    }

    /** Every http(s) address in the mail's parts and in its List-Unsubscribe header. */
    static List<String> links(MailSandbox.Message mail) {
        String raw = unfold(mail.data());
        List<String> out = new ArrayList<>();
        Matcher header = Pattern.compile("List-Unsubscribe: <([^>]+)>").matcher(raw);
        if (header.find()) {
            out.add(header.group(1));
        }
        Matcher url = Pattern.compile("https?://[^\\s\"<>]+").matcher(decoded(raw).replaceAll("List-Unsubscribe: <[^>]+>", ""));
        while (url.find()) {
            out.add(url.group().replace("&amp;", "&"));
        }
        return out;
    }
}
