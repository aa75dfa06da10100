package org.aio4j.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Byte sizes as people write them: {@code 1m}, {@code 64k}, {@code 4KiB}, {@code 1048576}. Units are binary. */
final class Sizes {
    private Sizes() {}

    static long parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) s = s.substring(0, s.length() - 2);
        else if (s.endsWith("b")) s = s.substring(0, s.length() - 1);
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) s = s.substring(0, s.length() - 1);
            else shift = 0;
        }
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 4096, 64k, 1m, 1g)");
        }
        if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return n << shift;
    }

    static String format(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return u == 0
                ? String.format(Locale.ROOT, "%.0f B", bytes)
                : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
    }

    static String rate(double bytesPerSecond) {
        return format(bytesPerSecond) + "/s";
    }

    /** picocli converter for positive int sizes ({@code --chunk}). */
    static final class IntSize implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long n = parse(value);
            if (n <= 0 || n > Integer.MAX_VALUE - 8) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be between 1 byte and 2 GiB");
            }
            return (int) n;
        }
    }

    /** picocli converter for non-negative long sizes. */
    static final class LongSize implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
