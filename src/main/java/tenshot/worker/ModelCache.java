package tenshot.worker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps the most recently used models of one worker loaded (base model weights on the device),
 * so consecutive jobs on the same model do not load it again. Holds at most {@code capacity}
 * entries and closes the least recently used one to make room, which frees its device memory.
 */
public final class ModelCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    /** Loads a model; may throw anything loading throws. */
    @FunctionalInterface
    public interface Loader<T extends AutoCloseable> {
        T load() throws Exception;
    }

    private final int capacity;
    private final LinkedHashMap<String, AutoCloseable> entries = new LinkedHashMap<>(16, 0.75f, true);

    public ModelCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("model cache capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
    }

    /**
     * The model cached under {@code key}, or the one {@code loader} makes (cached from then on).
     * Other models are closed first when the cache is full, so two large models are never held at once
     * beyond the capacity.
     */
    public synchronized <T extends AutoCloseable> T get(String key, Class<T> type, Loader<T> loader) throws Exception {
        AutoCloseable cached = entries.get(key);
        if (cached != null) {
            if (!type.isInstance(cached)) {
                throw new IllegalStateException("model cache entry '" + key + "' holds a "
                        + cached.getClass().getName() + ", not a " + type.getName());
            }
            return type.cast(cached);
        }
        while (entries.size() >= capacity) evictEldest();
        T loaded = loader.load();
        entries.put(key, loaded);
        return loaded;
    }

    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** Closes and forgets one entry (e.g. after its files changed). */
    public synchronized void invalidate(String key) {
        AutoCloseable removed = entries.remove(key);
        if (removed != null) closeQuietly(key, removed);
    }

    private void evictEldest() {
        Iterator<Map.Entry<String, AutoCloseable>> it = entries.entrySet().iterator();
        Map.Entry<String, AutoCloseable> eldest = it.next();
        it.remove();
        closeQuietly(eldest.getKey(), eldest.getValue());
    }

    @Override
    public synchronized void close() {
        while (!entries.isEmpty()) evictEldest();
    }

    private static void closeQuietly(String key, AutoCloseable model) {
        try {
            model.close();
        } catch (Exception e) {
            LOG.warnf(e, "closing cached model %s failed", key);
        }
    }
}
