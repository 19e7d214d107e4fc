import Foundation

/// An e-mail: HTML body with a plain-text alternative, as a MIME message (RFC 5322/2045/2047).
public struct MailMessage: Sendable, Equatable {
    public enum Priority: String, Sendable, Decodable { case high, normal, low }

    /// `Name <address>` or a bare address.
    public var from: String
    public var to: [String]
    public var subject: String
    public var html: String
    public var text: String
    public var priority: Priority

    public init(from: String, to: [String], subject: String, html: String, text: String, priority: Priority = .normal) {
        self.from = from
        self.to = to
        self.subject = subject
        self.html = html
        self.text = text
        self.priority = priority
    }

    /// The address part of `Name <address>`.
    public static func address(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingCharacters(in: .whitespaces)
        }
        return String(mailbox[mailbox.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
    }

    /// A plausible address: one `@`, no spaces or control characters, a dot in the domain.
    public static func isValidAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"<>(),;:\\\"[]".unicodeScalars.contains($0) }
    }

    /// The message as sent over SMTP (CRLF line ends, base64 bodies, encoded-word subject).
    public func rendered(date: Date = Date(), messageID: String = UUID().uuidString) -> String {
        let boundary = "butler-\(messageID.prefix(8))"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var headers = [
            "From: \(Self.headerValue(from))",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(Self.headerValue(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)@butler>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]
        switch priority {
        case .high: headers += ["X-Priority: 1 (Highest)", "Importance: High"]
        case .low: headers += ["X-Priority: 5 (Lowest)", "Importance: Low"]
        case .normal: break
        }
        func part(_ type: String, _ body: String) -> String {
            "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Self.base64Lines(body) + "\r\n"
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + part("text/plain", text) + part("text/html", html) + "--\(boundary)--\r\n"
    }

    /// Header text with control characters removed; non-ASCII as an RFC 2047 encoded word.
    static func headerValue(_ text: String) -> String {
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        guard !clean.unicodeScalars.allSatisfy(\.isASCII) else { return clean }
        if clean.contains("<"), let open = clean.lastIndex(of: "<") {
            // Encode only the display name of `Name <address>`.
            let name = clean[..<open].trimmingCharacters(in: .whitespaces)
            return encodedWords(name) + " " + clean[open...]
        }
        return encodedWords(clean)
    }

    /// RFC 2047 encoded words of at most 75 characters (whole characters in each), folded onto lines.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk = ""
        for character in text {
            // 45 bytes of UTF-8 make 60 base64 characters, plus 12 for `=?UTF-8?B?` and `?=`.
            if chunk.utf8.count + String(character).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }
}
