package io.tollgate.render.pricing;

import java.math.BigDecimal;
import java.util.List;

/**
 * What a job costs: {@code quantity} units of the model's price unit, rated in millionths of a
 * minor unit and rounded up once to a whole minor unit ({@code costMinor}).
 */
public record Quote(String modelId, String priceUnit, BigDecimal quantity, long unitPriceMicros, long grossMicros,
                    long discountMicros, long totalMicros, long costMinor, String currency, List<Line> breakdown) {

    /** One line of how the cost was reached. */
    public record Line(String label, String amount) {
    }
}
