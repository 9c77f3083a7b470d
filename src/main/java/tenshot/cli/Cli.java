package tenshot.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Engine commands that run without the web service. Each command returns a process exit code. */
public final class Cli {

    /** One command line verb. */
    public interface Command {
        String summary();

        int run(String[] args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        // register each command here: COMMANDS.put("generate", new GenerateCommand());
        COMMANDS.put("generate", new GenerateCommand());
        COMMANDS.put("bench", new BenchCommand());
        COMMANDS.put("score", new ScoreCommand());
        COMMANDS.put("train", new TrainCommand());
        COMMANDS.put("selftest", new SelfTestCommand());
    }

    private Cli() {}

    public static boolean isCommand(String name) {
        return COMMANDS.containsKey(name) || "help".equals(name) || "--help".equals(name);
    }

    public static int run(String... args) {
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            StringBuilder usage = new StringBuilder("usage: tenshot <command> [options]\n\ncommands:\n");
            COMMANDS.forEach((name, c) -> usage.append(String.format("  %-10s %s%n", name, c.summary())));
            usage.append("\nWith no command, the studio starts.");
            System.out.println(usage);
            return 0;
        }
        try {
            return command.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }
}
