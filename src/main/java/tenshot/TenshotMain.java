package tenshot;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
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
        Quarkus.run(args);
    }
}
