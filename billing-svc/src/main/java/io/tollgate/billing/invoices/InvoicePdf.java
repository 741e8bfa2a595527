package io.tollgate.billing.invoices;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** An invoice as a one-page PDF (Apache PDFBox, the standard Helvetica fonts). */
public final class InvoicePdf {

    private InvoicePdf() {
    }

    public static byte[] render(Invoices.InvoiceView invoice) {
        PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage(PDRectangle.A4);
            document.addPage(page);
            document.getDocumentInformation().setTitle("Invoice " + invoice.number());
            document.getDocumentInformation().setCreator("Tollgate billing");
            try (PDPageContentStream text = new PDPageContentStream(document, page)) {
                float y = 780;
                y = line(text, bold, 20, 50, y, "Invoice " + invoice.number());
                y = line(text, regular, 11, 50, y - 8, "Status: " + invoice.status());
                y = line(text, regular, 11, 50, y, "Issued: " + DateTimeFormatter.ISO_LOCAL_DATE.format(
                        invoice.issuedAt().atOffset(ZoneOffset.UTC)));
                y = line(text, regular, 11, 50, y, "Paid with: " + invoice.paymentMethod());
                y -= 16;
                y = line(text, bold, 11, 50, y, "Description                                   Qty        Unit price        Total");
                for (Invoices.Item item : invoice.items()) {
                    y = line(text, regular, 11, 50, y, pad(item.description(), 44) + pad(String.valueOf(item.quantity()), 11)
                            + pad(money(item.unitPriceMinor(), invoice.currency()), 18) + money(item.totalMinor(), invoice.currency()));
                }
                y -= 12;
                y = line(text, regular, 11, 50, y, "Subtotal: " + money(invoice.subtotalMinor(), invoice.currency()));
                y = line(text, regular, 11, 50, y, "Tax: " + money(invoice.taxMinor(), invoice.currency()));
                line(text, bold, 13, 50, y, "Total: " + money(invoice.totalMinor(), invoice.currency()));
            }
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("the invoice PDF could not be written", e);
        }
    }

    static String money(long minor, String currency) {
        return String.format("%s%d.%02d %s", minor < 0 ? "-" : "", Math.abs(minor) / 100, Math.abs(minor) % 100, currency);
    }

    private static String pad(String value, int width) {
        String v = value.length() > width - 1 ? value.substring(0, width - 1) : value;
        return v + " ".repeat(width - v.length());
    }

    private static float line(PDPageContentStream text, PDType1Font font, float size, float x, float y, String value)
            throws IOException {
        text.beginText();
        text.setFont(font, size);
        text.newLineAtOffset(x, y);
        // the standard fonts speak WinAnsi: anything else is shown as '?'
        text.showText(value.replaceAll("[^\\x20-\\x7E]", "?"));
        text.endText();
        return y - size * 1.5f;
    }
}
