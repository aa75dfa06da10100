package org.aio4j.webflux;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a raw (still percent-encoded) URL path onto a file below one root directory, refusing everything that could
 * leave the root: {@code .} and {@code ..} segments (also encoded as {@code %2e%2e}), empty segments (so no absolute
 * path such as {@code //etc/passwd}), encoded slashes or backslashes inside a segment, NUL and other control
 * characters, raw (not percent-encoded) non-ASCII characters, malformed percent escapes or UTF-8, and symbolic links
 * whose target lies outside the root.
 *
 * <p>Two kinds of refusal: {@link BadPathException} (the request itself is malformed: answered 400) and
 * {@link OutsideRootException} (the path is well-formed but resolves outside the root through a symbolic link:
 * answered 404, so the server does not reveal what exists outside).
 */
final class RootedPaths {
    private final Path root;

    /** @param root an existing directory; its real path (symbolic links resolved) becomes the root */
    RootedPaths(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) throw new IOException("not a directory: " + root);
        this.root = real;
    }

    Path root() {
        return root;
    }

    /** The request path was malformed or tried to climb out of the root lexically. */
    static final class BadPathException extends Exception {
        BadPathException(String message) {
            super(message, null, false, false);
        }
    }

    /** The request path resolved, through a symbolic link, to a place outside the root. */
    static final class OutsideRootException extends Exception {
        OutsideRootException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Decodes and checks the segments of a raw relative path ({@code a/b%20c.txt}) and joins them under the root,
     * without touching the file system.
     *
     * @throws BadPathException for anything but a plain relative path of safe, non-empty names
     */
    Path lexical(String rawRelativePath) throws BadPathException {
        return lexical(rawRelativePath, true);
    }

    /**
     * As {@link #lexical(String)}; {@code encoded == false} takes the segments as already decoded (query parameters).
     */
    Path lexical(String relativePath, boolean encoded) throws BadPathException {
        if (relativePath == null || relativePath.isEmpty()) throw new BadPathException("empty path");
        String[] raw = relativePath.split("/", -1);
        List<String> names = new ArrayList<>(raw.length);
        for (String segment : raw) {
            String name = encoded ? decode(segment) : segment;
            if (name.isEmpty()) throw new BadPathException("empty segment (absolute path or '//')");
            if (name.equals(".") || name.equals("..")) throw new BadPathException("'" + name + "' segment");
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '/' || c == '\\') throw new BadPathException("encoded separator in a segment");
                if (c < 0x20 || c == 0x7f) throw new BadPathException("control character (such as NUL) in path");
            }
            names.add(name);
        }
        Path p = root;
        for (String n : names) p = p.resolve(n);
        p = p.normalize();
        if (!p.startsWith(root) || p.equals(root)) throw new BadPathException("path leaves the root");
        return p;
    }

    /**
     * The lexical path of a file to read ({@link #lexical(String)}), refused if it names a temporary upload file: what
     * {@link #existing} checks before it resolves links. The caller must make sure no symbolic link is on the path
     * (then it is the real path, inside the root), as {@code HotStat} does.
     */
    Path readableLexical(String rawRelativePath) throws BadPathException, NoSuchFileException {
        Path lexical = lexical(rawRelativePath, true);
        refuseTemporary(lexical, rawRelativePath);
        return lexical;
    }

    /**
     * The real path of an existing file below the root, for reading. Blocking (file system calls).
     *
     * @throws NoSuchFileException when nothing exists there
     * @throws OutsideRootException when a symbolic link leads outside the root
     */
    Path existing(String rawRelativePath, boolean encoded) throws BadPathException, OutsideRootException, IOException {
        Path lexical = lexical(rawRelativePath, encoded);
        refuseTemporary(lexical, rawRelativePath);
        Path real = lexical.toRealPath();
        if (!real.startsWith(root) || real.equals(root)) {
            throw new OutsideRootException("resolves outside the root: " + rawRelativePath);
        }
        refuseTemporary(real, rawRelativePath);
        return real;
    }

    /**
     * Where a new file may be written: the lexical path, after checking that its parent directory (created below the
     * root if missing) really lies inside the root, and that an existing file of that name is not a link leading
     * outside. Blocking (file system calls).
     */
    Path writable(String rawRelativePath, boolean encoded) throws BadPathException, OutsideRootException, IOException {
        Path lexical = lexical(rawRelativePath, encoded);
        refuseTemporary(lexical, rawRelativePath);
        Path parent = lexical.getParent();
        // find the deepest existing ancestor and check it before creating anything
        Path existing = parent;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) existing = existing.getParent();
        if (!existing.toRealPath().startsWith(root)) {
            throw new OutsideRootException("parent resolves outside the root: " + rawRelativePath);
        }
        Files.createDirectories(parent);
        Path realParent = parent.toRealPath();
        if (!realParent.startsWith(root)) {
            throw new OutsideRootException("parent resolves outside the root: " + rawRelativePath);
        }
        Path target = realParent.resolve(lexical.getFileName());
        if (Files.isSymbolicLink(target)) {
            Path real = target.toRealPath();
            if (!real.startsWith(root))
                throw new OutsideRootException("link leads outside the root: " + rawRelativePath);
            refuseTemporary(real, rawRelativePath);
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadPathException("a directory exists at " + rawRelativePath);
        }
        return target;
    }

    /**
     * The names of the temporary files of uploads and copies: {@code .<name>.<uuid>.part} or {@code .<uuid>.part}
     * (a random UUID in lower-case hex).
     */
    static final java.util.regex.Pattern TEMPORARY_NAME = java.util.regex.Pattern.compile(
            "\\.(?:.*\\.)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.part",
            java.util.regex.Pattern.DOTALL);

    /** Whether {@code name} is the name of a temporary upload file, which no URL may reach. */
    static boolean isTemporaryName(String name) {
        return TEMPORARY_NAME.matcher(name).matches();
    }

    private static void refuseTemporary(Path path, String rawRelativePath) throws NoSuchFileException {
        Path name = path.getFileName();
        if (name != null && isTemporaryName(name.toString())) {
            throw new NoSuchFileException(rawRelativePath, null, "temporary upload file");
        }
    }

    /** Strict percent-decoding of one segment as UTF-8; '+' stays '+'; raw non-ASCII characters are refused. */
    static String decode(String segment) throws BadPathException {
        if (segment.indexOf('%') < 0 && segment.chars().allMatch(c -> c < 0x80)) return segment;
        byte[] out = new byte[segment.length()];
        int n = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) throw new BadPathException("truncated percent escape");
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw new BadPathException("malformed percent escape");
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                // A URI has no raw non-ASCII characters (RFC 3986), and servers turn such bytes into characters
                // differently: Reactor Netty reads them as ISO-8859-1, so raw UTF-8 named another file than its
                // percent-encoded form (and an upload created a mis-encoded name). Refused, like raw '\' or space.
                throw new BadPathException("raw non-ASCII character in path (percent-encode it)");
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(out, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadPathException("malformed UTF-8 in path");
        }
    }
}
