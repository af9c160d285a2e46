import NIOCore
import NIOPosix

/// Ports for the live world's server and links: random ones in 10000–19999, below the kernel's
/// ephemeral range (32768–60999 on Linux), so that no outgoing connection takes one as its local
/// port while it is free — the server's port between restarts, a link's while it is offline.
enum LivePorts {
    static let range = 10_000...19_999

    /// Random ports of the range to try, a few dozen.
    static func candidates() -> [Int] { (0..<50).map { _ in Int.random(in: range) } }

    /// A port nothing listens on now (bound once and released, for a process to listen on).
    static func free(_ group: any EventLoopGroup) throws(ScenarioError) -> Int {
        for port in candidates() {
            guard let channel = try? ServerBootstrap(group: group).bind(host: "127.0.0.1", port: port).wait() else {
                continue
            }
            try? channel.close().wait()
            return port
        }
        throw ScenarioError("live", "no free port in \(range)")
    }
}
