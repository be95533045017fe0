package dev.loomcluster.http.internal;

import java.nio.charset.StandardCharsets;

/** Status codes: reason phrases and ready-made status-line bytes. Immutable tables: any thread. */
final class Status {
    private static final String[] REASONS = new String[600];
    private static final byte[][] LINES = new byte[600][];

    static {
        String[] table = {
                "100", "Continue", "101", "Switching Protocols", "200", "OK", "201", "Created", "202", "Accepted",
                "203", "Non-Authoritative Information", "204", "No Content", "205", "Reset Content",
                "206", "Partial Content", "300", "Multiple Choices", "301", "Moved Permanently", "302", "Found",
                "303", "See Other", "304", "Not Modified", "307", "Temporary Redirect", "308", "Permanent Redirect",
                "400", "Bad Request", "401", "Unauthorized", "402", "Payment Required", "403", "Forbidden",
                "404", "Not Found", "405", "Method Not Allowed", "406", "Not Acceptable",
                "407", "Proxy Authentication Required", "408", "Request Timeout", "409", "Conflict",
                "410", "Gone", "411", "Length Required", "412", "Precondition Failed",
                "413", "Content Too Large", "414", "URI Too Long", "415", "Unsupported Media Type",
                "416", "Range Not Satisfiable", "417", "Expectation Failed", "421", "Misdirected Request",
                "422", "Unprocessable Content", "426", "Upgrade Required", "428", "Precondition Required",
                "429", "Too Many Requests", "431", "Request Header Fields Too Large",
                "500", "Internal Server Error", "501", "Not Implemented", "502", "Bad Gateway",
                "503", "Service Unavailable", "504", "Gateway Timeout", "505", "HTTP Version Not Supported"};
        for (int i = 0; i < table.length; i += 2) {
            REASONS[Integer.parseInt(table[i])] = table[i + 1];
        }
        for (int code = 100; code < 600; code++) {
            String reason = REASONS[code] != null ? REASONS[code] : "";
            LINES[code] = ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private Status() {
    }

    static String reason(int code) {
        String r = code >= 0 && code < REASONS.length ? REASONS[code] : null;
        return r != null ? r : "";
    }

    /** {@code HTTP/1.1 <code> <reason>\r\n}; for codes outside 100-599, made on the spot. */
    static byte[] line(int code) {
        if (code >= 100 && code < 600) {
            return LINES[code];
        }
        return ("HTTP/1.1 " + code + " \r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
