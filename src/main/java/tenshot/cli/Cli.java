package tenshot.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.scoring.ScoringMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Engine commands that run without the web service. Path options resolve against the caller's
 * working directory ({@link #CALLER_DIR_ENV}, set by {@code ./tenshot} before it changes into the
 * checkout). A user error (bad option, missing file, invalid value) prints one line naming the
 * command and exits 2 (usage) or 1 (I/O); only a bug prints a stack trace.
 */
@Command(name = "tenshot", synopsisSubcommandLabel = "<command>",
        description = "Engine commands that run without the web service. With no command, the studio starts.",
        subcommands = {GenerateCommand.class, BenchCommand.class, ScoreCommand.class, TrainCommand.class, SelfTestCommand.class,
            CommandLine.HelpCommand.class})
public final class Cli implements Runnable {

    /** The folder relative path options resolve against; the JVM's working directory when unset. */
    public static final String CALLER_DIR_ENV = "TENSHOT_CALLER_DIR";

    @CommandLine.Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static boolean isCommand(String name) {
        return commandLine(Path.of("")).getSubcommands().containsKey(name) || "--help".equals(name) || "-h".equals(name);
    }

    public static int run(String... args) {
        String callerDir = System.getenv(CALLER_DIR_ENV);
        Path base = callerDir != null && !callerDir.isBlank() ? Path.of(callerDir) : Path.of("");
        return commandLine(base).execute(args);
    }

    /** The command tree with path options resolved against {@code callerDir}. */
    static CommandLine commandLine(Path callerDir) {
        Path base = callerDir.toAbsolutePath().normalize();
        CommandLine cli = new CommandLine(new Cli());
        cli.registerConverter(Path.class, value -> base.resolve(value).normalize());
        cli.registerConverter(EngineDevice.class, checked(EngineDevice::parse));
        cli.registerConverter(ScoringMode.class, checked(ScoringMode::fromKey));
        cli.registerConverter(Scheduler.Kind.class, checked(Scheduler.Kind::parse));
        cli.setParameterExceptionHandler(Cli::usageError);
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof IllegalArgumentException) return fail(command, e.getMessage(), 2);
            if (e instanceof IOException || e instanceof UncheckedIOException) return fail(command, ioMessage(e), 1);
            throw e;
        });
        return cli;
    }

    /** A parser whose {@link IllegalArgumentException} becomes picocli's "Invalid value for option" error. */
    private static <T> ITypeConverter<T> checked(Function<String, T> parser) {
        return value -> {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        };
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int fail(CommandLine command, String message, int code) {
        command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + message);
        return code;
    }

    /** An I/O failure's message; {@code NoSuchFileException} and its kin carry only the path. */
    private static String ioMessage(Exception e) {
        Throwable io = e instanceof UncheckedIOException u ? u.getCause() : e;
        String message = io.getMessage();
        if (io instanceof java.nio.file.FileSystemException fs && fs.getReason() == null) {
            String kind = io instanceof java.nio.file.NoSuchFileException ? "no such file or folder"
                    : io instanceof java.nio.file.AccessDeniedException ? "access denied"
                    : io instanceof java.nio.file.FileAlreadyExistsException ? "already exists" : io.getClass().getSimpleName();
            return kind + ": " + message;
        }
        return message;
    }
}
