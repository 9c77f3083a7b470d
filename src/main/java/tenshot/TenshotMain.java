package tenshot;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import sun.misc.Signal;
import tenshot.cli.Cli;
import tenshot.store.DatabaseBootstrap;

/**
 * One artifact, two faces: engine commands ({@code generate}, {@code bench}, {@code train}) run
 * without starting the web service; anything else starts the studio, on an embedded database when
 * none is configured.
 */
@QuarkusMain
public final class TenshotMain {

    private TenshotMain() {}

    public static void main(String... args) {
        if (args.length > 0 && Cli.isCommand(args[0])) {
            System.exit(Cli.run(args));
        }
        DatabaseBootstrap.configure();
        Quarkus.run(Studio.class, args);
    }

    /**
     * The studio until SIGTERM or SIGINT. In JVM mode Quarkus stops from a shutdown hook, and the
     * embedded PostgreSQL's own hook would run at the same time and stop the database under workers
     * still giving back their jobs. So a signal stops the application first (workers stop taking jobs
     * and give back their leases) and only then exits the JVM, whose hooks stop the database.
     */
    public static final class Studio implements QuarkusApplication {
        @Override
        public int run(String... args) {
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), signal -> Quarkus.asyncExit(128 + signal.getNumber()));
            }
            Quarkus.waitForExit();
            return 0;
        }
    }
}
