package tenshot.worker;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Lowers the CPU priority of the calling thread. Linux keeps a nice value per thread and a new thread
 * inherits its creator's, so the engine thread calls this before PyTorch starts its intra-op threads:
 * training and generation on the CPU then take the cores whenever the API's threads do not need them,
 * instead of sharing them equally.
 */
final class ThreadNiceness {

    private interface LibC extends Library {
        int setpriority(int which, int who, int niceness);
    }

    private static final int PRIO_PROCESS = 0;
    private static final int CALLING_THREAD = 0;

    private ThreadNiceness() {}

    /** Sets the calling thread's nice value; false where it could not (not Linux, or refused). */
    static boolean set(int niceness) {
        if (!Platform.isLinux()) return false;
        LibC libc = Native.load("c", LibC.class);
        return libc.setpriority(PRIO_PROCESS, CALLING_THREAD, niceness) == 0;
    }
}
