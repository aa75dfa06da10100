package org.aio4j.webflux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket: the request target and the header values go on the wire exactly as
 * given (no client-side normalisation or validation), one connection per request ({@code Connection: close}).
 */
final class RawHttp {
    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** A parsed response; header names are lower-case. */
    record Response(int status, Map<String, List<String>> headers, byte[] body, byte[] raw) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        @Override
        public String toString() {
            String head = new String(raw, 0, Math.min(raw.length, headEnd(raw) + 4), StandardCharsets.ISO_8859_1);
            return head.strip() + (body.length > 0 ? "\n[" + body.length + " body bytes]" : "");
        }
    }

    /**
     * Sends a request. {@code target} goes out as UTF-8 bytes (non-ASCII characters are therefore sent raw, as a
     * careless client would); header values as ISO-8859-1. A body, if any, is sent with {@code Content-Length}, or
     * with chunked transfer coding in chunks of {@code chunks} sizes when that is non-null.
     */
    Response send(String method, String target, Map<String, String> headers, byte[] body, int[] chunks)
            throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes((method + " ").getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(target.getBytes(StandardCharsets.UTF_8));
            StringBuilder h = new StringBuilder(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
            headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
            if (body != null && chunks == null)
                h.append("Content-Length: ").append(body.length).append("\r\n");
            if (body != null && chunks != null) h.append("Transfer-Encoding: chunked\r\n");
            h.append("\r\n");
            req.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            out.write(req.toByteArray());
            if (body != null && chunks == null) {
                out.write(body);
            } else if (body != null) {
                int pos = 0;
                for (int i = 0; pos < body.length; i++) {
                    int n = Math.min(body.length - pos, Math.max(1, chunks[i % chunks.length]));
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, pos, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    pos += n;
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                in.transferTo(all);
            } catch (java.net.SocketException e) {
                // a server may reset after answering a request it refused before reading the whole body
                if (all.size() == 0) throw e;
            }
            return parse(all.toByteArray(), method.equals("HEAD"));
        }
    }

    Response get(String target, Map<String, String> headers) throws IOException {
        return send("GET", target, headers, null, null);
    }

    private static int headEnd(byte[] raw) {
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') return i;
        }
        return raw.length - 4 < 0 ? 0 : raw.length - 4;
    }

    static Response parse(byte[] raw, boolean head) throws IOException {
        int end = -1;
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) throw new IOException("no complete response head in " + raw.length + " bytes");
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("bad status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) throw new IOException("bad header line: " + lines[i]);
            headers.computeIfAbsent(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] rest = Arrays.copyOfRange(raw, end + 4, raw.length);
        byte[] body;
        List<String> te = headers.get("transfer-encoding");
        if (head || status == 304 || status == 204 || status / 100 == 1) {
            if (rest.length != 0) throw new IOException(rest.length + " bytes after a response without body");
            body = rest;
        } else if (te != null && te.get(0).equalsIgnoreCase("chunked")) {
            body = dechunk(rest);
        } else if (headers.containsKey("content-length")) {
            long n = Long.parseLong(headers.get("content-length").get(0));
            if (n != rest.length) throw new IOException("Content-Length " + n + " but " + rest.length + " bytes");
            body = rest;
        } else {
            body = rest;
        }
        return new Response(status, headers, body, raw);
    }

    private static byte[] dechunk(byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (true) {
            int lineEnd = pos;
            while (lineEnd + 1 < in.length && !(in[lineEnd] == '\r' && in[lineEnd + 1] == '\n')) lineEnd++;
            if (lineEnd + 1 >= in.length) throw new IOException("truncated chunked body");
            String size = new String(in, pos, lineEnd - pos, StandardCharsets.US_ASCII);
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            pos = lineEnd + 2;
            if (n == 0) return out.toByteArray();
            if (pos + n + 2 > in.length) throw new IOException("truncated chunk");
            out.write(in, pos, n);
            pos += n + 2;
        }
    }
}
