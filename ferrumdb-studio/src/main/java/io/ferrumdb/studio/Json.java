package io.ferrumdb.studio;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one ObjectMapper Studio uses. */
final class Json {
    /**
     * Jackson leaves {@code < > & '} as they are; Studio escapes them as {@code \\u003c} and so on, so that a
     * stored value like {@code </script><script>...} can never be read as markup even by a careless consumer
     * of the API (defence in depth: the pages themselves only ever render data with textContent).
     */
    private static final class HtmlSafeEscapes extends CharacterEscapes {
        private final int[] escapes;

        HtmlSafeEscapes() {
            escapes = standardAsciiEscapesForJSON();
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
            escapes['\''] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            // U+2028 and U+2029 end a line in older JavaScript parsers; escaped so the JSON is also a JS literal.
            if (ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }

    /** For API responses. */
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** For text shown to the user as it is (pretty-printed values), where the escapes would be visible. */
    static final ObjectMapper PLAIN = new ObjectMapper();
    /** Two-space indent, every array element on its own line, {@code "name": value} as people write JSON. */
    static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    static {
        MAPPER.getFactory().setCharacterEscapes(new HtmlSafeEscapes());
        // Jackson refuses strings over 20 MB by default; a 64 MiB value (the engine's limit) arrives as one JSON
        // string of up to ~86 MiB in base64. The request body is already bounded by Call.MAX_BODY_BYTES.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Call.MAX_BODY_BYTES).build());
        MAPPER.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        MAPPER.getFactory().configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        MAPPER.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        // {"key":"a","key":"b"} wrote "b" without a word; the import refuses a field given twice, and so does every
        // request body.
        MAPPER.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        PLAIN.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private Json() {
    }
}
