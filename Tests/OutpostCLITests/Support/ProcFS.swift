import Foundation

/// What Linux's /proc tells about processes: the children of a process and whether one is alive
/// (for the tests that stop a command and check what it leaves behind).
enum ProcFS {
    /// Whether there is a /proc to read (Linux).
    static let available = FileManager.default.fileExists(atPath: "/proc/self/stat")

    /// A running process: its id and its arguments (`argv`, the executable first).
    struct Entry: Sendable {
        var pid: Int32
        var arguments: [String]
    }

    /// The processes whose parent is `parent`, zombies left out.
    static func children(of parent: Int32) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Entry? in
            guard let pid = Int32(name), let stat = stat(pid), stat.parent == parent, stat.state != "Z" else { return nil }
            return Entry(pid: pid, arguments: arguments(pid))
        }
    }

    /// Whether `pid` is a process that has not ended (a zombie has ended).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = stat(pid) else { return false }
        return stat.state != "Z" && stat.state != "X"
    }

    /// The state letter and parent of `pid`, from /proc/PID/stat (`pid (comm) state ppid …`; the
    /// command name may hold spaces and parentheses, so the fields are read after the last `)`).
    static func stat(_ pid: Int32) -> (state: Character, parent: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
        return (state, parent)
    }

    /// The arguments of `pid` (/proc/PID/cmdline: NUL-separated).
    static func arguments(_ pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
