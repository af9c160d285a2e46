import Causality
import Foundation
import InboxModel
import Replica
import SyncCore
import SyncEngine

/// A device or the server in the simulator: a real replica in a file, so that a crash can throw
/// away everything in memory and a restart reopens only what was committed.
final class SimNode {
    let name: String
    let identity: ReplicaIdentity
    let path: String
    let clock: NodeClock
    private(set) var replica: Replica
    /// Devices only: may the device reach the server now?
    var online = true
    /// A crash armed for the node's next sync (or, a device, its next user action).
    var armedCrash: CrashSpec?
    /// The most this node ever acknowledged to a peer: a crash must not lose any of it.
    var acknowledged = VersionVector()
    /// Server: the vector bases its devices' hellos may name, in memory (a crash forgets them).
    var vectorBases = VectorBases()

    var isServer: Bool { identity.viewer == nil }
    var user: UserID? { identity.viewer }

    init(name: String, identity: ReplicaIdentity, directory: String, clock: NodeClock) throws(ScenarioError) {
        self.name = name
        self.identity = identity
        self.clock = clock
        path = (directory as NSString).appendingPathComponent("\(name).sqlite")
        do {
            replica = try Replica.create(at: path, identity: identity, clock: clock)
        } catch {
            throw ScenarioError("simulation", "cannot create the replica of \(name): \(error.message)")
        }
    }

    /// A node whose replica file something else made and writes (live mode: an `outpost` process);
    /// the harness opens it to read.
    init(name: String, openingAt path: String, clock: NodeClock) throws(ScenarioError) {
        self.name = name
        self.path = path
        self.clock = clock
        do {
            replica = try Replica.open(at: path, clock: clock)
        } catch {
            throw ScenarioError("live", "cannot open the replica of \(name) at \(path): \(error.message)")
        }
        identity = replica.identity
    }

    /// The process dies: every in-memory state (the open replica, any session) is gone; the node
    /// starts again from its file.
    func restart() throws(ScenarioError) {
        armedCrash = nil
        vectorBases = VectorBases()
        do {
            replica = try Replica.open(at: path, clock: clock)
        } catch {
            throw ScenarioError("simulation", "cannot reopen the replica of \(name) after a crash: \(error.message)")
        }
    }

    /// The device's scope as the server checks it.
    var scope: DeviceScope? {
        user.map { DeviceScope(replica: identity.replica, brand: identity.brand, user: $0) }
    }
}
