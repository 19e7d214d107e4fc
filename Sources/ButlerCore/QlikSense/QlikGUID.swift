/// Qlik Sense object ids (tasks, apps): GUIDs.
///
/// Butler's rule (`^[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[089ab][0-9a-f]{3}-[0-9a-f]{12}$`, version
/// nibble 0–5, variant 8/9/a/b), applied case-insensitively as QRS compares ids (DESIGN Decisions 5).
public enum QlikGUID {
    /// The id in lower case when it is a GUID by Butler's rule, else nil.
    public static func normalised(_ text: String) -> String? {
        let lower = text.lowercased()
        let scalars = Array(lower.unicodeScalars)
        guard scalars.count == 36 else { return nil }
        for (index, scalar) in scalars.enumerated() {
            switch index {
            case 8, 13, 18, 23:
                guard scalar == "-" else { return nil }
            case 14:
                guard ("0"..."5").contains(scalar) else { return nil }
            case 19:
                guard "89ab".unicodeScalars.contains(scalar) else { return nil }
            default:
                guard ("0"..."9").contains(scalar) || ("a"..."f").contains(scalar) else { return nil }
            }
        }
        return lower
    }
}
