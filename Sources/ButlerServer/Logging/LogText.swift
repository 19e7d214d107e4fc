/// Log-line text safe to write: request data can't forge a line or hide text.
///
/// Control characters (C0 including CR and LF, DEL, C1), the line and paragraph separators (U+2028/9) and
/// the bidirectional controls (U+061C, U+200E/F, U+202A–E, U+2066–9) are written as `\u{XXXX}`; a text
/// without them (nearly every line) is returned as it is, after one pass over its UTF-8 bytes.
enum LogText {
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 >= 0xC2 }) else { return text }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
