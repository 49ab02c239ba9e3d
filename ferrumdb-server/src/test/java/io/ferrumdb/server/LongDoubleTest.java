package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link LongDouble} at the edges of the x87 format, each expectation what redis-server 7.0.15 replied to
 * {@code INCRBYFLOAT key INCREMENT} on a new key (or on a key holding the first operand).
 */
class LongDoubleTest {
    private static LongDouble parse(String text) {
        return LongDouble.parse(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String sum(String a, String b) {
        return parse(a).plus(parse(b)).human();
    }

    @Test
    void printingRoundsTheExactBinaryValueToSeventeenDecimalsTiesToEven() {
        // 2^-18 = 0.000003814697265625: the 18th decimal is a tie, and 2 is even.
        assertThat(sum("0", "0x1p-18")).isEqualTo("0.00000381469726562");
        assertThat(sum("0", "0.000000000000000015")).isEqualTo("0.00000000000000002");
        assertThat(sum("0", "0.000000000000000025")).isEqualTo("0.00000000000000002");
        assertThat(sum("0", "5.0000000000000000005e-18")).isEqualTo("0.00000000000000001");
    }

    @Test
    void additionRoundsToSixtyFourSignificantBitsTiesToEven() {
        assertThat(sum("18446744073709551615", "0.5")).isEqualTo("18446744073709551616");
        assertThat(sum("18446744073709551614", "0.5")).isEqualTo("18446744073709551614");
        assertThat(sum("0.1", "0.2")).isEqualTo("0.3");
    }

    @Test
    void parsingAcceptsWhatStrtoldAcceptsAndRefusesOverflowAndUnderflowToZero() {
        assertThat(sum("0", "0X1.8P1")).isEqualTo("3");
        assertThat(parse("-INFINITY").infinite()).isTrue();
        String largest = sum("0", "1.18973149535723176502e+4932");
        assertThat(largest).hasSize(4933).startsWith("118973149535723176502126385303")
                .endsWith("52086811989770240");
        assertThat(parse("1.18973149535723176508e+4932")).as("beyond the largest long double").isNull();
        assertThat(parse("1e-4960")).as("rounds to zero").isNull();
        assertThat(parse("0x1p-16445")).as("the smallest subnormal").isNotNull();
        assertThat(parse("0e-99999")).as("zero itself").isNotNull();
        for (String bad : new String[] {"", " 1", "1 ", "nan", "1e", "0x", ".", "infin", "1\u00002"}) {
            assertThat(parse(bad)).as("'%s'", bad).isNull();
        }
    }
}
