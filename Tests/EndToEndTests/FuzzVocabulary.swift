/// The fuzzer's word lists: what hostile input is made of.
enum FuzzVocabulary {
    /// Characters that break parsers, serialisers and terminals: C0, DEL, C1, noncharacters, BOM, bidi
    /// controls, separators, emoji (with ZWJ and flags), combining marks, scripts written right to left.
    static let unicode: [String] = [
        "\u{0}", "\u{1}", "\u{7}", "\u{8}", "\t", "\n", "\r", "\r\n", "\u{b}", "\u{c}", "\u{1b}", "\u{1b}[31m", "\u{1f}",
        "\u{7f}", "\u{80}", "\u{85}", "\u{9b}", "\u{9f}", "\u{a0}", "\u{ad}",
        "\u{feff}", "\u{fffd}", "\u{e000}",
        "\u{200b}", "\u{200d}", "\u{200e}", "\u{200f}", "\u{202a}", "\u{202b}", "\u{202c}", "\u{202d}", "\u{202e}",
        "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{61c}", "\u{2028}", "\u{2029}",
        "😀", "👩‍👩‍👧‍👦", "🇸🇪", "🏳️‍🌈", "é", "e\u{301}\u{301}\u{301}", "ß", "İ", "ﬁ", "Ω", "\u{1d11e}", "日本語", "עברית", "العربية",
    ] + noncharacters

    /// U+FFFE, U+FFFF, U+FDD0, U+1FFFE, U+10FFFF (the compiler refuses some of them as literals).
    static let noncharacters: [String] = [0xFFFE, 0xFFFF, 0xFDD0, 0x1FFFE, 0x10FFFF].map { String(Character(UnicodeScalar($0)!)) }

    /// Words with a meaning to JSON, YAML, cron, paths, templates, SQL, shells or JavaScript.
    static let words: [String] = [
        "", " ", "null", "true", "false", "0", "-1", "NaN", "undefined", "[]", "{}", "__proto__", "constructor", "toString",
        "'", "\"", "\\", "`", "${7*7}", "{{this}}", "{{{x}}}", "{{#each}}", "%s%n%x", "<script>alert(1)</script>",
        "' OR '1'='1", "; DROP TABLE key_values;--", "*", "?", "#", ": ", "- ", "---", "...", "&a", "*a", "!!binary",
        "!!python/object:os.system", "%YAML 1.2", "? x", "|", ">", "@", "~", "yes", "no", "on", "off", "0x1F", "0o17",
        "1_000", ".inf", ".nan", "2001-12-14", "12:30:45", " leading", "trailing ", "a/b", "a\\b", "..", ".", "/",
        "C:\\Windows", "\\\\server\\share", "CON", "aux.txt", "file.qvd:stream", "*/30 * * * * *", "0 0 31 2 *",
        "* * * * * * *", "Europe/Stokholm", "UTC", "+14:00", "started", "stopped", "start", "gauge", "starttaskid",
        "keyvaluestore", "-", "$(id)", "|id", "\"; id; \"",
    ]

    /// Bytes that are not UTF-8: a lone continuation byte, 0xFF, overlong NUL and `/`, an encoded surrogate,
    /// a truncated sequence, a code point above U+10FFFF.
    static let invalidUTF8: [[UInt8]] = [
        [0x80], [0xFF], [0xFE], [0xC0, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ]

    /// Escapes in JSON form: lone and paired surrogates, NUL, DEL, noncharacters, an escaped slash.
    static let jsonEscapes: [String] = [
        "\\u0000", "\\u007f", "\\u007F", "\\ud800", "\\udfff", "\\udc00\\ud800", "\\ud83d\\ude00", "\\ufffe", "\\uffff",
        "\\u202e", "\\/", "\\b\\f\\n\\r\\t", "\\u0085", "\\u2028",
    ]

    /// Number literals that overflow, underflow, lose precision or sit on a limit.
    static let numbers: [String] = [
        "0", "-0", "-0.0", "0.0", "1", "-1", "1e400", "-1e400", "1e-400", "1E+2", "0e0", "1.5", "2.3", "1e308",
        "1.7976931348623157e308", "4.9e-324", "9007199254740993", "-9007199254740993", "2147483647", "2147483648",
        "2147483647000", "2147483648000", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890", String(repeating: "9", count: 400),
        "0." + String(repeating: "0", count: 400) + "1", "1" + String(repeating: "0", count: 400) + ".5",
    ]

    /// Not numbers, though a lenient parser might take them.
    static let invalidNumbers: [String] = ["01", "+1", ".5", "5.", "NaN", "Infinity", "-Infinity", "0x10", "1_000", "1e", "--1", "1.2.3"]

    /// Percent-encoding gone wrong, for paths and query strings: truncated and non-hex escapes, `%u`,
    /// overlong and invalid UTF-8, encoded NUL, slash, dot segments and line breaks.
    static let percentGarbage: [String] = [
        "%", "%%", "%z", "%zz", "%G0", "%0", "%u0041", "%u202e", "%C0%AF", "%c0%ae%c0%ae", "%FF", "%fe%ff", "%ED%A0%80",
        "%00", "%2F", "%2f", "%5C", "%2e%2e", "%2e%2e%2f", "%0A", "%0D%0A", "%7F", "%C2%85", "%E2%80%AE", "%EF%BF%BE",
        "%F0%9F%98%80", "%25", "%2525", "%3F", "%23", "%26", "%3D", "+", "%20",
    ]

    static let contentTypes: [String] = [
        "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "APPLICATION/JSON",
        "application/json ; charset=\"utf-8\"", "application/json; charset=utf-16", "application/json; charset=latin1",
        "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=----x",
        "application/xml", "text/html", "application/vnd.api+json", "application/problem+json", "*/*", "", "application/",
        "json", "application/json, text/plain", "application/octet-stream", "application/jsonx", "application/json;;;",
        "application/json; charset=" + String(repeating: "x", count: 2000),
    ]

    static let methodOverrides: [String] = [
        "PUT", "DELETE", "GET", "PATCH", "POST", "put", "Delete", "HEAD", "OPTIONS", "TRACE", "CONNECT", "FUZZ", "",
        " PUT", "PUT ", "PUT,DELETE", "DELETE, PUT", "P\u{00dc}T",
    ]

    static let oddMethods: [String] = ["HEAD", "OPTIONS", "PATCH", "TRACE", "FUZZ", "get", "M-SEARCH", "PROPFIND", "QUERY"]

    static let extraHeaderNames: [String] = [
        "X-Forwarded-For", "Forwarded", "X-Real-IP", "Cookie", "Authorization", "X-API-Key", "Accept", "Accept-Charset",
        "Accept-Encoding", "Content-Encoding", "Content-Language", "X-HTTP-Method", "X-Method-Override", "Referer",
        "User-Agent", "If-None-Match", "Range", "Upgrade", "X-Request-Id", "traceparent", "X-Qlik-User",
    ]

    static let headerValues: [String] = [
        "", " ", "gzip", "br, gzip;q=0", "*/*", "text/html", "application/json", "Bearer ", "Bearer x", "Basic Og==",
        "for=\"[::1]\"", "127.0.0.1, 10.0.0.1", "999.999.999.999", "::ffff:127.0.0.1", "bytes=0-0,-1", "websocket",
        "UserDirectory=INTERNAL; UserId=sa_api", String(repeating: "A", count: 4000),
    ]
}
