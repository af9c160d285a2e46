public import Foundation

/// The repository the tests were built from: its root and the files in it (the protocol vectors,
/// the scenario library, fixtures kept in the source tree).
public enum Repository {
    /// The root: the nearest folder above this file that holds `Package.swift`.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// `path` (for example `Protocol/vectors`) under the root.
    public static func url(_ path: String) -> URL { root.appendingPathComponent(path) }
}
