package tenshot.queue;

public final class JobNotFound extends RuntimeException {
    public JobNotFound(long id) {
        super("job " + id + " does not exist");
    }
}
