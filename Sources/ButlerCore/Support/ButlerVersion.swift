/// The version this build reports (`butler --version`, `GET /v4/butlerping` → `butlerVersion`).
public enum ButlerVersion {
    public static let current = "0.1.0"
}
