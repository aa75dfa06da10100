package org.aio4j.webflux;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference model the fuzzed responses are compared with, written from the specifications rather than from the
 * server code: RFC 3986 (request-target characters), RFC 9110 sections 13.1/13.2.2 (conditional requests and their
 * precedence) and 14 (range requests), with the server's choices where RFC 9110 leaves it one: unsatisfiable
 * ranges are left out of a set (416 only when none is left), overlapping or adjacent ranges are coalesced (in the place
 * of the first of them, the others in request order), and more than 100 ranges make it ignore the Range (200).
 */
final class HttpReferenceModel {
    private HttpReferenceModel() {}

    static final int MAX_REQUEST_LINE = 4096; // Reactor Netty's default maxInitialLineLength

    // ================================================================ request paths

    /** What a GET of a request target must give. */
    sealed interface PathOutcome {}

    /** Refused for its form: one of these statuses, no file content. */
    record Refused(Set<Integer> statuses, String why) implements PathOutcome {}

    /** Well-formed but nothing servable there (missing, a directory, outside the root, a loop, too long): 404. */
    record NotFound(String decoded) implements PathOutcome {}

    /** Either 400 (for a query or fragment RFC 3986 does not allow) or {@code outcome}. */
    record OrRefused(PathOutcome outcome) implements PathOutcome {}

    /** The file below the root with this content: 200. */
    record Found(String decoded, byte[] content) implements PathOutcome {}

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0;
    }

    /** RFC 3986 pchar minus pct-encoded. */
    static boolean pcharRaw(int c) {
        return unreserved(c) || "!$&'()*+,;=".indexOf(c) >= 0 || c == ':' || c == '@';
    }

    /**
     * Decodes one raw path segment strictly: {@code %XX} escapes only, UTF-8 only. Null when malformed.
     */
    static String decodeSegment(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) return null;
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return null;
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                return null; // not reachable: raw non-ASCII is refused before
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The outcome of {@code GET target} where {@code target} starts with {@code /files/}.
     *
     * @param files decoded paths relative to the root (through links where they stay inside) and their content
     * @param reentries decoded prefixes that lead out of the root and back to it ({@code dir-out/root/}): stripped
     */
    static PathOutcome get(String target, Map<String, byte[]> files, List<String> reentries) {
        // what goes on the wire: the client encodes the target as UTF-8, where an unpaired surrogate becomes '?'
        target = new String(target.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        int line = ("GET " + target + " HTTP/1.1").getBytes(StandardCharsets.UTF_8).length;
        if (line > MAX_REQUEST_LINE - 16 && line < MAX_REQUEST_LINE + 16) {
            return new Refused(Set.of(400, 404, 414), "request line at the length limit");
        }
        if (line > MAX_REQUEST_LINE) return new Refused(Set.of(400, 414), "request line too long");
        // RFC 9112 section 3: a recipient MAY parse the request line on whitespace word boundaries; Netty does, so
        // a target that ends in SP, HTAB, VT, FF or CR is the target without them followed by extra separators
        // (400 is right too: a strict server refuses it)
        int end = target.length();
        while (end > 0 && lenientSeparator(target.charAt(end - 1))) end--;
        if (end < target.length()) {
            PathOutcome trimmed = get(target.substring(0, end), files, reentries);
            return trimmed instanceof Refused || trimmed instanceof OrRefused ? trimmed : new OrRefused(trimmed);
        }
        // the raw characters: only what RFC 3986 allows; in the query or fragment (which the server does not
        // use) a character RFC 3986 does not allow may be refused (400) or ignored with the rest of the query
        int cut = indexOfAny(target, "?#");
        int hash = target.indexOf('#');
        boolean lenient = false;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x21 || c == 0x7f) return new Refused(Set.of(400), "raw control or space in the request line");
            boolean bad = c >= 0x80
                    || !(pcharRaw(c) || c == '/' || c == '?' || c == '#' || c == '%')
                    || (c == '#' && i > hash)
                    || (c == '%'
                            && (i + 2 >= target.length()
                                    || Character.digit(target.charAt(i + 1), 16) < 0
                                    || Character.digit(target.charAt(i + 2), 16) < 0));
            if (!bad) continue;
            if (cut < 0 || i < cut) {
                return new Refused(Set.of(400), "character not allowed in a URI path: " + c + " at " + i);
            }
            lenient = true;
        }
        PathOutcome outcome = path(cut < 0 ? target : target.substring(0, cut), files, reentries);
        return lenient ? new OrRefused(outcome) : outcome;
    }

    /** The separators Netty's request-line parser accepts between words besides SP (RFC 9112 section 3). */
    private static boolean lenientSeparator(char c) {
        return c == ' ' || c == '\t' || c == 0x0b || c == 0x0c || c == '\r';
    }

    private static PathOutcome path(String path, Map<String, byte[]> files, List<String> reentries) {
        String rel = path.substring("/files/".length());
        String[] raw = rel.split("/", -1);
        List<String> names = new ArrayList<>();
        for (String segment : raw) {
            String name = decodeSegment(segment);
            if (name == null) return new Refused(Set.of(400), "malformed escape or UTF-8 in " + segment);
            if (name.isEmpty()) return new Refused(Set.of(400), "empty segment");
            if (name.equals(".") || name.equals("..")) return new Refused(Set.of(400), "dot segment");
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '/' || c == '\\') return new Refused(Set.of(400), "encoded separator");
                if (c < 0x20 || c == 0x7f) return new Refused(Set.of(400), "control character");
            }
            names.add(name);
        }
        String decoded = String.join("/", names);
        String lookup = decoded;
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String prefix : reentries) {
                if (lookup.startsWith(prefix)) {
                    lookup = lookup.substring(prefix.length());
                    stripped = true;
                }
            }
        }
        byte[] content = files.get(lookup);
        return content == null ? new NotFound(decoded) : new Found(decoded, content);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) if (chars.indexOf(s.charAt(i)) >= 0) return i;
        return -1;
    }

    // ================================================================ conditionals and ranges

    /** An entity-tag list as sent, and what it means; {@code valid == false} for a value outside the grammar. */
    record EtagList(String text, boolean valid, boolean star, List<String> strong, List<String> weak) {
        /** RFC 9110 8.8.3.2 weak comparison with our current (strong) tag. */
        boolean weakMatch(String current) {
            return star || strong.contains(current) || weak.contains(current);
        }

        /** Strong comparison: only strong tags count. */
        boolean strongMatch(String current) {
            return star || strong.contains(current);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * An HTTP-date field as sent. {@code instant} is its meaning (null when it is not an HTTP-date); {@code quirk} marks
     * a valid date Spring's {@code HttpHeaders} date parsing cannot read (asctime with a space-padded day), which the
     * server may therefore ignore.
     */
    record DateValue(String text, Instant instant, boolean quirk) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** An {@code If-Range} value: an entity-tag text or a date. */
    record IfRange(String text, DateValue date) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** One fuzzed conditional/range request against one file. */
    record Conditional(
            String method,
            String file,
            String range,
            IfRange ifRange,
            EtagList ifMatch,
            EtagList ifNoneMatch,
            DateValue ifModifiedSince,
            DateValue ifUnmodifiedSince) {
        Map<String, String> headers() {
            Map<String, String> h = new java.util.LinkedHashMap<>();
            if (range != null) h.put("Range", range);
            if (ifRange != null) h.put("If-Range", ifRange.text());
            if (ifMatch != null) h.put("If-Match", ifMatch.text());
            if (ifNoneMatch != null) h.put("If-None-Match", ifNoneMatch.text());
            if (ifModifiedSince != null) h.put("If-Modified-Since", ifModifiedSince.text());
            if (ifUnmodifiedSince != null) h.put("If-Unmodified-Since", ifUnmodifiedSince.text());
            return h;
        }
    }

    /** An expected response. */
    sealed interface Expect {}

    record Full() implements Expect {}

    record NotModified() implements Expect {}

    record PreconditionFailed() implements Expect {}

    record Unsatisfiable() implements Expect {}

    /** 206 with exactly these regions ({start, endInclusive}) in this order; one region is a plain 206. */
    record Partial(List<long[]> regions) implements Expect {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("Partial[");
            for (long[] r : regions) sb.append(r[0]).append('-').append(r[1]).append(' ');
            return sb.append(']').toString();
        }
    }

    /** An invalid Range: RFC 9110 14.2 lets the server ignore it (200) or reject it (416); also any consistent 206. */
    record AnyRangeAnswer() implements Expect {}

    /** An invalid entity-tag list: anything self-consistent. */
    record AnyConsistent() implements Expect {}

    /**
     * The expected responses for {@code c} on a file of {@code length} bytes with the (strong) entity-tag
     * {@code etag} and the last modification {@code lastModified} (whole seconds). Several when the request is
     * ambiguous (a date Spring cannot parse may be ignored).
     */
    static Set<Expect> expect(Conditional c, long length, String etag, Instant lastModified) {
        Set<Expect> out = new LinkedHashSet<>();
        out.add(evaluate(c, length, etag, lastModified, false));
        out.add(evaluate(c, length, etag, lastModified, true));
        return out;
    }

    private static Instant date(DateValue d, boolean ignoreQuirks) {
        if (d == null || d.instant() == null) return null;
        if (d.quirk() && ignoreQuirks) return null;
        return d.instant();
    }

    /** RFC 9110 13.2.2, for GET and HEAD of an existing file. */
    private static Expect evaluate(
            Conditional c, long length, String etag, Instant lastModified, boolean ignoreQuirks) {
        // 1. If-Match
        if (c.ifMatch() != null) {
            if (!c.ifMatch().valid()) return new AnyConsistent();
            if (!c.ifMatch().strongMatch(etag)) return new PreconditionFailed();
        } else {
            // 2. If-Unmodified-Since, only without If-Match
            Instant ius = date(c.ifUnmodifiedSince(), ignoreQuirks);
            if (ius != null && lastModified.isAfter(ius)) return new PreconditionFailed();
        }
        // 3. If-None-Match
        if (c.ifNoneMatch() != null) {
            if (!c.ifNoneMatch().valid()) return new AnyConsistent();
            if (c.ifNoneMatch().weakMatch(etag)) return new NotModified();
        } else {
            // 4. If-Modified-Since, only without If-None-Match
            Instant ims = date(c.ifModifiedSince(), ignoreQuirks);
            if (ims != null && !lastModified.isAfter(ims)) return new NotModified();
        }
        // 5. Range, and If-Range only with a Range
        if (c.range() == null) return new Full();
        if (c.ifRange() != null) {
            boolean matches;
            if (c.ifRange().date() != null) {
                Instant d = date(c.ifRange().date(), ignoreQuirks);
                matches = d != null && d.equals(lastModified);
            } else {
                matches = c.ifRange().text().equals(etag); // strong comparison; W/ never matches
            }
            if (!matches) return new Full();
        }
        return range(c.range(), length);
    }

    private static boolean tchar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** RFC 9110 14.1/14.2 with Spring's choices for the rest; the value as received (OWS trimmed by the parser). */
    static Expect range(String value, long length) {
        String v = value.strip();
        int eq = v.indexOf('=');
        if (eq <= 0) return new AnyRangeAnswer();
        String unit = v.substring(0, eq);
        for (char ch : unit.toCharArray()) if (!tchar(ch)) return new AnyRangeAnswer();
        // range units are case-insensitive; a unit the server does not know must be ignored (14.2)
        if (!unit.equalsIgnoreCase("bytes")) return new Full();
        String[] elements = v.substring(eq + 1).split(",", -1);
        List<long[]> specs = new ArrayList<>(); // {first, last or -1} or {-1, suffix}
        for (String element : elements) {
            String e = element.replaceAll("^[ \t]+|[ \t]+$", "");
            if (e.isEmpty()) continue; // empty list elements are allowed (5.6.1)
            if (!e.matches("[0-9]*-[0-9]*") || e.equals("-")) return new AnyRangeAnswer();
            int dash = e.indexOf('-');
            String first = e.substring(0, dash);
            String last = e.substring(dash + 1);
            for (String n : List.of(first, last)) {
                if (!n.isEmpty() && new BigInteger(n).compareTo(MAX) > 0) {
                    return new AnyRangeAnswer(); // exclusion: Spring rejects numbers beyond a long, RFC would clip
                }
            }
            if (first.isEmpty()) {
                specs.add(new long[] {-1, Long.parseLong(last)});
            } else {
                long f = Long.parseLong(first);
                long l = last.isEmpty() ? -1 : Long.parseLong(last);
                if (l >= 0 && l < f) return new AnyRangeAnswer(); // invalid int-range
                specs.add(new long[] {f, l});
            }
        }
        if (specs.isEmpty()) return new AnyRangeAnswer();
        if (specs.size() > 100) return new Full(); // RFC 9110 14.2: a server may ignore a set of many ranges
        // 14.1.2: only the satisfiable ranges are served; none satisfiable is 416
        List<long[]> regions = new ArrayList<>();
        for (long[] s : specs) {
            long start;
            long end;
            if (s[0] < 0) {
                if (s[1] == 0 || length == 0) continue; // a suffix of 0 is unsatisfiable, as is any range of nothing
                start = Math.max(0, length - s[1]);
                end = length - 1;
            } else {
                if (s[0] >= length) continue;
                start = s[0];
                end = s[1] < 0 || s[1] >= length ? length - 1 : s[1];
            }
            regions.add(new long[] {start, end});
        }
        if (regions.isEmpty()) return new Unsatisfiable();
        // 14.3: coalesce overlapping or adjacent ranges, repeatedly, until no two of them touch; a coalesced range
        // takes the place of the first of its parts
        boolean merged = true;
        while (merged) {
            merged = false;
            search:
            for (int i = 0; i < regions.size(); i++) {
                for (int j = i + 1; j < regions.size(); j++) {
                    long[] a = regions.get(i);
                    long[] b = regions.get(j);
                    // as BigInteger-free arithmetic: positions are at most length - 1 < Long.MAX_VALUE
                    if (a[0] <= b[1] + 1 && b[0] <= a[1] + 1) {
                        regions.set(i, new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                        regions.remove(j);
                        merged = true;
                        break search;
                    }
                }
            }
        }
        return new Partial(regions);
    }

    // ================================================================ checking a response

    /**
     * Null when {@code r} is the response {@code e} describes for the file {@code content}, else what differs.
     * {@code head}: no body expected.
     */
    static String check(Expect e, RawHttp.Response r, byte[] content, String etag, boolean head) {
        if (e instanceof Full) {
            if (r.status() != 200) return "status " + r.status() + ", expected 200";
            return full(r, content, etag, head);
        }
        if (e instanceof NotModified) {
            if (r.status() != 304) return "status " + r.status() + ", expected 304";
            if (!etag.equals(r.header("ETag"))) return "304 without our ETag: " + r.header("ETag");
            return r.body().length == 0 ? null : "304 with a body";
        }
        if (e instanceof PreconditionFailed) {
            if (r.status() != 412) return "status " + r.status() + ", expected 412";
            return r.body().length == 0 ? null : "412 with a body";
        }
        if (e instanceof Unsatisfiable) {
            if (r.status() != 416) return "status " + r.status() + ", expected 416";
            return unsatisfiable(r, content);
        }
        if (e instanceof Partial p) {
            if (r.status() != 206) return "status " + r.status() + ", expected 206 " + p;
            String err = partial(r, content, head);
            if (err != null) return err;
            if (head && p.regions().size() > 1) return null; // the parts of a HEAD cannot be checked
            List<long[]> got;
            try {
                got = regions(r, content.length, head);
            } catch (IllegalStateException x) {
                return "malformed 206: " + x.getMessage();
            }
            if (got.size() != p.regions().size()) return "206 with " + got.size() + " parts, expected " + p;
            for (int i = 0; i < got.size(); i++) {
                if (!Arrays.equals(got.get(i), p.regions().get(i))) {
                    return "206 part " + i + " is " + got.get(i)[0] + "-" + got.get(i)[1] + ", expected " + p;
                }
            }
            return null;
        }
        if (e instanceof AnyRangeAnswer) {
            switch (r.status()) {
                case 200:
                    return full(r, content, etag, head);
                case 416:
                    return unsatisfiable(r, content);
                case 206:
                    return partial(r, content, head);
                default:
                    return "status " + r.status() + " for an invalid Range, expected 200, 206 or 416";
            }
        }
        return consistent(r, content, etag, head);
    }

    /** Null when {@code r} is a well-formed answer of some status for this file. */
    static String consistent(RawHttp.Response r, byte[] content, String etag, boolean head) {
        switch (r.status()) {
            case 200:
                return full(r, content, etag, head);
            case 206:
                return partial(r, content, head);
            case 416:
                return unsatisfiable(r, content);
            case 304:
            case 412:
                return r.body().length == 0 ? null : r.status() + " with a body";
            default:
                return "unexpected status " + r.status();
        }
    }

    private static String full(RawHttp.Response r, byte[] content, String etag, boolean head) {
        if (!String.valueOf(content.length).equals(r.header("Content-Length"))) {
            return "200 with Content-Length " + r.header("Content-Length") + ", file has " + content.length;
        }
        if (etag != null && !etag.equals(r.header("ETag"))) return "200 with ETag " + r.header("ETag");
        if (head) return r.body().length == 0 ? null : "HEAD with a body";
        return Arrays.equals(r.body(), content) ? null : "200 body differs from the file";
    }

    private static String unsatisfiable(RawHttp.Response r, byte[] content) {
        if (!("bytes */" + content.length).equals(r.header("Content-Range"))) {
            return "416 with Content-Range " + r.header("Content-Range") + ", expected bytes */" + content.length;
        }
        return r.body().length == 0 ? null : "416 with a body";
    }

    /** A 206 whose parts each equal the file's bytes at their Content-Range; Content-Length exact. */
    private static String partial(RawHttp.Response r, byte[] content, boolean head) {
        String type = r.header("Content-Type");
        boolean multi = type != null && type.startsWith("multipart/byteranges");
        try {
            if (head) {
                if (!multi) contentRange(r.header("Content-Range"), content.length);
                return r.body().length == 0 ? null : "HEAD with a body";
            }
            if (multi) {
                List<Object[]> parts = parts(r, content.length);
                if (parts.size() < 2) return "multipart/byteranges with " + parts.size() + " part";
                for (Object[] part : parts) {
                    long[] reg = (long[]) part[0];
                    if (!Arrays.equals((byte[]) part[1], Arrays.copyOfRange(content, (int) reg[0], (int) reg[1] + 1))) {
                        return "206 part " + reg[0] + "-" + reg[1] + " differs from the file";
                    }
                }
                return null;
            }
            long[] reg = contentRange(r.header("Content-Range"), content.length);
            if (!String.valueOf(reg[1] - reg[0] + 1).equals(r.header("Content-Length"))) {
                return "206 Content-Length " + r.header("Content-Length") + " for " + r.header("Content-Range");
            }
            return Arrays.equals(r.body(), Arrays.copyOfRange(content, (int) reg[0], (int) reg[1] + 1))
                    ? null
                    : "206 body differs from the file's bytes " + reg[0] + "-" + reg[1];
        } catch (IllegalStateException e) {
            return "malformed 206: " + e.getMessage();
        }
    }

    /** The regions a 206 claims (from its Content-Range or its parts); throws IllegalStateException if malformed. */
    static List<long[]> regions(RawHttp.Response r, long length, boolean head) {
        String type = r.header("Content-Type");
        if (type != null && type.startsWith("multipart/byteranges")) {
            if (head) throw new IllegalStateException("cannot check the parts of a HEAD");
            List<long[]> out = new ArrayList<>();
            for (Object[] part : parts(r, length)) out.add((long[]) part[0]);
            return out;
        }
        return List.of(contentRange(r.header("Content-Range"), length));
    }

    private static long[] contentRange(String value, long length) {
        if (value == null) throw new IllegalStateException("no Content-Range");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)").matcher(value);
        if (!m.matches()) throw new IllegalStateException("Content-Range " + value);
        long s = Long.parseLong(m.group(1));
        long e = Long.parseLong(m.group(2));
        if (Long.parseLong(m.group(3)) != length || s > e || e >= length) {
            throw new IllegalStateException("Content-Range " + value + " for a file of " + length);
        }
        return new long[] {s, e};
    }

    /** The parts of a multipart/byteranges body: {long[] region, byte[] bytes}. */
    private static List<Object[]> parts(RawHttp.Response r, long fileLength) {
        String type = r.header("Content-Type");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(type);
        if (!m.find()) throw new IllegalStateException("no boundary in " + type);
        String boundary = m.group(1);
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        List<Object[]> out = new ArrayList<>();
        String delimiter = "--" + boundary;
        int pos = body.indexOf(delimiter);
        if (pos < 0 || !body.substring(0, pos).isBlank()) throw new IllegalStateException("no first boundary");
        while (true) {
            pos += delimiter.length();
            if (body.startsWith("--", pos)) {
                if (!body.substring(pos + 2).isBlank()) throw new IllegalStateException("data after the last part");
                return out;
            }
            if (!body.startsWith("\r\n", pos)) throw new IllegalStateException("no CRLF after a boundary");
            int headEnd = body.indexOf("\r\n\r\n", pos);
            if (headEnd < 0) throw new IllegalStateException("part without a blank line");
            String contentRange = null;
            for (String line : body.substring(pos + 2, headEnd).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Range")) {
                    contentRange = line.substring(colon + 1).trim();
                }
            }
            if (contentRange == null) throw new IllegalStateException("part without Content-Range");
            java.util.regex.Matcher cr = java.util.regex.Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)")
                    .matcher(contentRange);
            if (!cr.matches()) throw new IllegalStateException("part Content-Range " + contentRange);
            long s = Long.parseLong(cr.group(1));
            long e = Long.parseLong(cr.group(2));
            if (Long.parseLong(cr.group(3)) != fileLength || s > e || e >= fileLength)
                throw new IllegalStateException("part Content-Range " + contentRange);
            int dataStart = headEnd + 4;
            int dataEnd = (int) (dataStart + e - s + 1);
            if (dataEnd > body.length()) throw new IllegalStateException("truncated part");
            out.add(new Object[] {new long[] {s, e}, Arrays.copyOfRange(r.body(), dataStart, dataEnd)});
            if (!body.startsWith("\r\n" + delimiter, dataEnd))
                throw new IllegalStateException("no boundary after part");
            pos = dataEnd + 2;
        }
    }
}
