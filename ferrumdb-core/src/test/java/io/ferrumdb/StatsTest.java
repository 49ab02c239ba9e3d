package io.ferrumdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.StringJoiner;

import org.junit.jupiter.api.Test;

/**
 * {@link Stats} and {@link Stats.SegmentStats} write their {@code toString} out (to spare a fresh JVM the
 * invokedynamic bootstrap of the generated one): it must stay the text the generated one gives, every component in
 * declaration order, so that a component added later cannot go missing from logs.
 */
class StatsTest {

    @Test
    void toStringIsTheRecordsTextWithEveryComponent() throws ReflectiveOperationException {
        Stats.SegmentStats sealed = new Stats.SegmentStats(2, 16_288_071, 16_288_007, false);
        Stats.SegmentStats active = new Stats.SegmentStats(3, 4_078_911, 4_078_847, true);
        // Distinct values per component, so that a swapped pair shows.
        Stats stats = new Stats(125_042, List.of(sealed, active), 20_366_982, 20_366_854, 25_042, 7, 474_958, 11,
                13, 17, 19, true, 23, 29, 31, 37);

        assertThat(sealed.toString()).isEqualTo(generated(sealed));
        assertThat(active.toString()).isEqualTo(generated(active));
        assertThat(stats.toString()).isEqualTo(generated(stats));
    }

    @Test
    void noSegments() throws ReflectiveOperationException {
        Stats stats = new Stats(0, List.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0);
        assertThat(stats.toString()).isEqualTo(generated(stats));
    }

    /** The text {@code java.lang.runtime.ObjectMethods} gives a record: {@code Name[a=1, b=2]}. */
    private static String generated(Record record) throws ReflectiveOperationException {
        StringJoiner text = new StringJoiner(", ", record.getClass().getSimpleName() + "[", "]");
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            text.add(component.getName() + "=" + component.getAccessor().invoke(record));
        }
        return text.toString();
    }
}
