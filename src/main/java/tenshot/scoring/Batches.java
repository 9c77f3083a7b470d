package tenshot.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/** Splits work into batches for the metric networks. */
public final class Batches {

    private Batches() {}

    /** Consecutive runs of at most {@code size} items. */
    public static <T> List<List<T>> of(List<T> items, int size) {
        return of(items, size, (a, b) -> true);
    }

    /** Consecutive runs of at most {@code size} items, each run only of items {@code together} with its first. */
    public static <T> List<List<T>> of(List<T> items, int size, BiPredicate<T, T> together) {
        if (size < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        List<List<T>> out = new ArrayList<>();
        List<T> current = new ArrayList<>();
        for (T item : items) {
            if (!current.isEmpty() && (current.size() == size || !together.test(current.get(0), item))) {
                out.add(current);
                current = new ArrayList<>();
            }
            current.add(item);
        }
        if (!current.isEmpty()) out.add(current);
        return out;
    }
}
