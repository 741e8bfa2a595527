package io.tollgate.render.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.render.catalog.Model;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The one function from a model and its validated input to a cost. The estimate, the hold placed at
 * submit and the capture of a finished job all call it, so what a caller is shown is what is held
 * and, for a job that produced what it asked for, what is charged. Per image, per megapixel of
 * output, per second of output, per step or flat; the model's discount, then the platform multiplier,
 * then the model's minimum; rounded up to a whole minor unit once, at the end.
 */
@ApplicationScoped
public class Pricing {

    private static final BigDecimal MICROS_PER_MINOR = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal MEGAPIXEL = BigDecimal.valueOf(1_000_000);

    private final BigDecimal multiplier;

    public Pricing(@ConfigProperty(name = "tollgate.render.price-multiplier", defaultValue = "1") BigDecimal multiplier) {
        if (multiplier.signum() <= 0) {
            throw new IllegalArgumentException("tollgate.render.price-multiplier must be positive");
        }
        this.multiplier = multiplier;
    }

    /** The quote for an input that asks for what the model will render. */
    public Quote quote(Model model, JsonNode input) {
        return quote(model, quantity(model, input));
    }

    /** The quote for what a job actually produced ({@code quantity} of the model's unit). */
    public Quote quote(Model model, BigDecimal quantity) {
        List<Quote.Line> lines = new ArrayList<>();
        BigDecimal gross = BigDecimal.valueOf(model.unitPriceMicros()).multiply(quantity);
        lines.add(new Quote.Line(quantity.stripTrailingZeros().toPlainString() + " " + model.priceUnit() + " at "
                + micros(model.unitPriceMicros()) + " each", micros(gross)));
        BigDecimal discount = gross.multiply(BigDecimal.valueOf(model.discountPercent())).divide(BigDecimal.valueOf(100), 6,
                RoundingMode.DOWN);
        if (model.discountPercent() > 0) {
            lines.add(new Quote.Line(model.discountPercent() + "% discount", "-" + micros(discount)));
        }
        BigDecimal net = gross.subtract(discount).multiply(multiplier);
        if (multiplier.compareTo(BigDecimal.ONE) != 0) {
            lines.add(new Quote.Line("platform multiplier x" + multiplier.stripTrailingZeros().toPlainString(), micros(net)));
        }
        if (net.compareTo(BigDecimal.valueOf(model.minPriceMicros())) < 0) {
            net = BigDecimal.valueOf(model.minPriceMicros());
            lines.add(new Quote.Line("minimum price", micros(net)));
        }
        long totalMicros = net.setScale(0, RoundingMode.CEILING).longValueExact();
        long costMinor = BigDecimal.valueOf(totalMicros).divide(MICROS_PER_MINOR, 0, RoundingMode.CEILING).longValueExact();
        lines.add(new Quote.Line("charged, rounded up to a whole minor unit", Long.toString(costMinor)));
        return new Quote(model.modelId(), model.priceUnit(), quantity, model.unitPriceMicros(), gross.setScale(0, RoundingMode.CEILING)
                .longValueExact(), discount.setScale(0, RoundingMode.DOWN).longValueExact(), totalMicros, costMinor,
                model.currency(), List.copyOf(lines));
    }

    /** How many units of the model's price unit the input asks for. */
    public BigDecimal quantity(Model model, JsonNode input) {
        int images = input.path("num_images").asInt(1);
        return switch (model.priceUnit()) {
            case "images" -> BigDecimal.valueOf(images);
            case "megapixels" -> BigDecimal.valueOf((long) input.path("width").asInt() * input.path("height").asInt() * images)
                    .divide(MEGAPIXEL, 6, RoundingMode.UP);
            case "seconds" -> input.hasNonNull("text") ? speechSeconds(input.path("text").asText(), input.path("speed").asInt(175))
                    : BigDecimal.valueOf(input.path("duration_seconds").asDouble(1)).setScale(3, RoundingMode.UP);
            case "steps" -> BigDecimal.valueOf(input.path("steps").asInt(1));
            default -> BigDecimal.ONE;
        };
    }

    /**
     * An upper bound of how long {@code text} takes to say at {@code wordsPerMinute}, measured on
     * espeak-ng: about 0.1 s a character at 175 words a minute, a digit about 0.6 s (numbers are read
     * out in words), with a third more and half a second to spare. What is said is charged; the rest
     * of the hold is released.
     */
    static BigDecimal speechSeconds(String text, int wordsPerMinute) {
        long digits = text.chars().filter(Character::isDigit).count();
        double atDefault = (text.length() - digits) * 0.1 + digits * 0.6;
        double seconds = atDefault * 175.0 / Math.max(1, wordsPerMinute) * 1.3 + 0.5;
        return BigDecimal.valueOf(seconds).setScale(3, RoundingMode.UP);
    }

    private static String micros(BigDecimal micros) {
        return micros.divide(MICROS_PER_MINOR, 6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String micros(long micros) {
        return micros(BigDecimal.valueOf(micros));
    }
}
