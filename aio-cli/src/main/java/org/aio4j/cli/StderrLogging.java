package org.aio4j.cli;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the commands other than {@code serve}: warnings and errors on stderr, in the format of {@code
 * aio-cli-logback.xml}, without starting logback (whose configuration took about 165 ms of CPU at every start of
 * {@code aio copy}). {@link AioCli#main} selects it through the {@code slf4j.provider} system property unless the
 * user chose a logging setup ({@code slf4j.provider} or {@code logback.configurationFile}).
 */
public final class StderrLogging implements SLF4JServiceProvider {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    private final ILoggerFactory loggers = StderrLogger::new;
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new BasicMDCAdapter();

    /** For {@link java.util.ServiceLoader} and {@code slf4j.provider}. */
    public StderrLogging() {}

    /** Loggers that print WARN and ERROR to stderr. */
    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    /** SLF4J's basic markers. */
    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    /** SLF4J's basic MDC (kept, never printed). */
    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    /** The SLF4J API version this binding is written against. */
    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** Nothing to set up. */
    @Override
    public void initialize() {}

    /** WARN and ERROR, on stderr. */
    private static final class StderrLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        StderrLogger(String name) {
            this.name = name;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(
                Level level, Marker marker, String message, Object[] arguments, Throwable throwable) {
            String text = MessageFormatter.basicArrayFormat(message, arguments);
            String logger = name.substring(name.lastIndexOf('.') + 1);
            PrintStream err = System.err;
            synchronized (err) {
                err.printf(Locale.ROOT, "%s %-5s %s - %s%n", LocalTime.now().format(TIME), level, logger, text);
                if (throwable != null) throwable.printStackTrace(err);
            }
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
