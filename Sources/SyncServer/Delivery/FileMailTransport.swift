import Foundation
import NIOPosix
import SyncEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default transport: each mail becomes an RFC 5322 file `<name>.eml` in a folder
/// (``OutboundMail/fileName``, from the message's stable `Message-ID`), written to a temporary
/// file and renamed into place. Writing a message again replaces its file, so a redelivery after
/// a crash still leaves exactly one file per message; a reader never sees half a file.
public struct FileMailTransport: MailTransport {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func send(_ mail: OutboundMail, whenAccepted: @escaping @Sendable () async throws -> Void) async throws(MailFailure) {
        let final = directory + "/" + mail.fileName
        // One temporary name per message: a write cut short by a crash is overwritten by the redo.
        let temporary = directory + "/." + mail.fileName + ".tmp"
        do {
            // File writes block: on the store pool, not on Swift's shared pool.
            try await NIOThreadPool.onStore { [directory] in
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try Data(mail.rendered()).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, final) == 0 else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: final,
                                                                   NSLocalizedDescriptionKey: String(cString: strerror(errno))])
                }
            }
        } catch {
            throw .transient("cannot write \(final): \(error.localizedDescription)")
        }
        do {
            try await whenAccepted()
        } catch {
            throw .transient("the mail was written but its delivery could not be recorded: \(error)")
        }
    }
}
