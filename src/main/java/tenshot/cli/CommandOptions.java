package tenshot.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} arguments of one command. Unknown options and missing or
 * malformed values raise {@link IllegalArgumentException} naming the option, which {@link Cli}
 * prints as a usage error.
 */
public final class CommandOptions {

    private final Map<String, String> values = new LinkedHashMap<>();

    private CommandOptions() {}

    /**
     * Parses {@code args}; {@code valued} lists options that take a value, {@code flags} those that
     * do not (both without the leading dashes).
     */
    public static CommandOptions parse(String[] args, Set<String> valued, Set<String> flags) {
        CommandOptions options = new CommandOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                options.values.put(name, "true");
            } else if (valued.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                    value = args[++i];
                }
                options.values.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return options;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String required(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) throw new IllegalArgumentException("--" + name + " is required");
        return value;
    }

    public Path path(String name) {
        return Path.of(required(name));
    }

    public int integer(String name, int fallback) {
        String value = values.get(name);
        if (value == null) return fallback;
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    public long longValue(String name, long fallback) {
        String value = values.get(name);
        if (value == null) return fallback;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    public double number(String name, double fallback) {
        String value = values.get(name);
        if (value == null) return fallback;
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    /** A comma-separated list of positive integers ({@code --sizes 512,768}). */
    public List<Integer> integers(String name, List<Integer> fallback) {
        String value = values.get(name);
        if (value == null) return fallback;
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            try {
                int n = Integer.parseInt(part.trim());
                if (n <= 0) throw new NumberFormatException();
                out.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a comma-separated list of positive integers, got '" + value + "'");
            }
        }
        return out;
    }
}
