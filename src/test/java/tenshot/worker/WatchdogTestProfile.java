package tenshot.worker;

import java.util.HashMap;
import java.util.Map;
import tenshot.queue.QueueTestProfile;

/** The queue tests' settings with a short progress watchdog. */
public class WatchdogTestProfile extends QueueTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> all = new HashMap<>(super.getConfigOverrides());
        all.put("tenshot.queue.stall-timeout", "2s");
        return all;
    }
}
