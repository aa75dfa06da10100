package org.aio4j.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.aio4j.engine.EngineBackend;

/**
 * Reads the common {@code aio copy} command lines without picocli, so that a copy starts without loading and
 * modelling it (picocli is compiled for Java 5, which the JDK 17 class-data archive does not take: it costs about
 * 120 ms of every start; docs/benchmarks.md, "Copy"). It knows only lines whose meaning is certain and gives up
 * (returns null) on anything else, which then goes to picocli as before: help and version, {@code --}, argument
 * files ({@code @FILE}), unknown or repeated options, an option value or a path that starts with {@code -}, values
 * picocli might read differently (leading zeros, signs, sizes out of range) and every usage error. So a line read
 * here means exactly what picocli would make of it; {@code QuickCopyLineTest} compares the two.
 *
 * <p>Known: {@code copy SRC DST} (the first argument is {@code copy}) with {@code --chunk SIZE}, {@code --in-flight
 * N}, {@code --progress MODE}, {@code --progress-interval MS}, {@code --backend NAME} (also as {@code --name=value}),
 * {@code --fsync}, {@code --verify}, {@code --keep-partial}, {@code --kernel-copy}, {@code --no-kernel-copy} and
 * {@code --debug}, in any order.
 */
final class QuickCopyLine {
    /** The command, its options and positional arguments set as picocli would. */
    final CopyCommand command;
    /** {@code --debug} was given. */
    final boolean debug;

    private QuickCopyLine(CopyCommand command, boolean debug) {
        this.command = command;
        this.debug = debug;
    }

    /**
     * The copy {@code args} describe, or null when they are not a line this class knows exactly (picocli reads it).
     */
    static QuickCopyLine parse(String[] args) {
        if (args.length < 3 || !"copy".equals(args[0])) return null;
        CopyCommand c = new CopyCommand();
        // picocli's defaults (the @Option defaultValue of each)
        c.chunk = 1 << 20;
        c.inFlight = 16;
        c.kernelCopy = true;
        c.progress = Progress.Mode.AUTO;
        c.progressInterval = 1000;
        boolean debug = false;
        Set<String> seen = new HashSet<>();
        int positional = 0;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.charAt(0) == '@') return null; // argument files, empty arguments: picocli's
            if (a.charAt(0) != '-') {
                if (positional == 0) c.source = Path.of(a);
                else if (positional == 1) c.target = Path.of(a);
                else return null; // picocli: unmatched argument
                positional++;
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            // --kernel-copy and --no-kernel-copy are one option (negatable): either, once
            String key = name.equals("--no-kernel-copy") ? "--kernel-copy" : name;
            if (!seen.add(key)) return null; // picocli: "should be specified only once"
            switch (name) {
                case "--fsync", "--verify", "--keep-partial", "--kernel-copy", "--no-kernel-copy", "--debug" -> {
                    if (value != null) return null; // --fsync=true and the like: picocli's
                    switch (name) {
                        case "--fsync" -> c.fsync = true;
                        case "--verify" -> c.verify = true;
                        case "--keep-partial" -> c.keepPartial = true;
                        case "--kernel-copy" -> c.kernelCopy = true;
                        case "--no-kernel-copy" -> c.kernelCopy = false;
                        default -> debug = true;
                    }
                }
                case "--chunk", "--in-flight", "--progress", "--progress-interval", "--backend" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) return null;
                        value = args[++i];
                    }
                    if (value.isEmpty() || value.charAt(0) == '-' || value.charAt(0) == '@') return null;
                    if (!set(c, name, value)) return null;
                }
                default -> {
                    return null; // -h, --help, -V, --version, --, unknown options
                }
            }
        }
        return positional == 2 ? new QuickCopyLine(c, debug) : null;
    }

    /** Sets one valued option; false when the value is not one whose reading is certain. */
    private static boolean set(CopyCommand c, String name, String value) {
        switch (name) {
            case "--chunk" -> {
                long n;
                try {
                    n = Sizes.parse(value);
                } catch (IllegalArgumentException e) {
                    return false;
                }
                if (n <= 0 || n > Integer.MAX_VALUE - 8) return false; // Sizes.IntSize's range
                c.chunk = (int) n;
            }
            case "--in-flight" -> {
                if (!plainDecimal(value, 9)) return false;
                c.inFlight = Integer.parseInt(value);
            }
            case "--progress-interval" -> {
                if (!plainDecimal(value, 18)) return false;
                c.progressInterval = Long.parseLong(value);
            }
            case "--progress" -> {
                Progress.Mode m = constant(Progress.Mode.values(), value);
                if (m == null) return false;
                c.progress = m;
            }
            default -> { // --backend
                EngineBackend b = constant(EngineBackend.values(), value);
                if (b == null) return false;
                c.backendOption.backend = b;
            }
        }
        return true;
    }

    /** Decimal digits without a sign or a leading zero (which picocli might read otherwise), at most {@code max}. */
    private static boolean plainDecimal(String s, int max) {
        if (s.length() > max || (s.length() > 1 && s.charAt(0) == '0')) return false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return false;
        }
        return !s.isEmpty();
    }

    /** The constant named {@code value} in any case of ASCII letters and underscores, or null. */
    private static <E extends Enum<E>> E constant(E[] values, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            boolean letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            if (!letter && ch != '_') return null;
        }
        String upper = value.toUpperCase(Locale.ROOT);
        for (E e : values) if (e.name().equals(upper)) return e;
        return null;
    }
}
