package io.ferrumdb.doc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The encoding orders like the values, equals exactly when the values do, and is self-delimiting. */
class ValueCodecTest {
    @Property(tries = 500)
    void numbersOrderAndEqualLikeTheirDecimalValues(@ForAll("decimals") BigDecimal a,
            @ForAll("decimals") BigDecimal b) {
        byte[] ea = ValueCodec.encode(DecimalNode.valueOf(a));
        byte[] eb = ValueCodec.encode(DecimalNode.valueOf(b));
        assertThat(Integer.signum(Arrays.compareUnsigned(ea, eb))).isEqualTo(a.compareTo(b));
        assertThat(ValueCodec.decode(ea).decimalValue()).isEqualByComparingTo(a);
        assertSelfDelimiting(ea);
    }

    @Property(tries = 500)
    void stringsOrderByCodePointAndRoundTrip(@ForAll("strings") String a, @ForAll("strings") String b) {
        byte[] ea = ValueCodec.encode(TextNode.valueOf(a));
        byte[] eb = ValueCodec.encode(TextNode.valueOf(b));
        int expected = Integer.signum(Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
        assertThat(Integer.signum(Arrays.compareUnsigned(ea, eb))).isEqualTo(expected);
        assertThat(ValueCodec.decode(ea).textValue()).isEqualTo(a);
        byte[] prefix = ValueCodec.stringPrefix(b);
        boolean bytePrefix = ea.length >= prefix.length
                && Arrays.equals(ea, 0, prefix.length, prefix, 0, prefix.length);
        int[] ca = a.codePoints().toArray();
        int[] cb = b.codePoints().toArray();
        assertThat(bytePrefix).isEqualTo(ca.length >= cb.length && Arrays.equals(ca, 0, cb.length, cb, 0, cb.length));
        assertSelfDelimiting(ea);
    }

    private static void assertSelfDelimiting(byte[] encoded) {
        byte[] withSuffix = Arrays.copyOf(encoded, encoded.length + 3);
        withSuffix[encoded.length] = 0;
        withSuffix[encoded.length + 1] = (byte) 0xFF;
        withSuffix[encoded.length + 2] = 1;
        assertThat(ValueCodec.end(withSuffix, 0)).isEqualTo(encoded.length);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.valueOf(-1000), BigInteger.valueOf(1000)),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)));
        return Combinators.combine(unscaled, Arbitraries.integers().between(-40, 40)).as(BigDecimal::new);
    }

    @Provide
    Arbitrary<String> strings() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.of('\u0000', '\u0001', 'a', 'b', '\u00E9', '\u07FF', '\u0800', '\uE000', '\uFFFF'),
                Arbitraries.of('\uD83D', '\uDE00', '\uD800', '\uDFFF'));
        return chars.list().ofMaxSize(5).map(l -> {
            StringBuilder sb = new StringBuilder();
            l.forEach(sb::append);
            return sb.toString();
        });
    }

    @Property(tries = 50)
    void kindsNeverCompareEqualAndOrderNullBooleanNumberString(@ForAll("decimals") BigDecimal d,
            @ForAll("strings") String s) {
        JsonNode[] ordered = {com.fasterxml.jackson.databind.node.NullNode.instance,
            com.fasterxml.jackson.databind.node.BooleanNode.FALSE, com.fasterxml.jackson.databind.node.BooleanNode.TRUE,
            DecimalNode.valueOf(d), TextNode.valueOf(s)};
        for (int i = 1; i < ordered.length; i++) {
            assertThat(Arrays.compareUnsigned(ValueCodec.encode(ordered[i - 1]), ValueCodec.encode(ordered[i])))
                    .isNegative();
        }
    }
}
