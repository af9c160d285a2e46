import ArgumentParser
import Foundation
import SyncServer



/// `outpost admin event`: a platform event for a brand's inbox, made a read-only notification
/// thread (the same as `POST /v1/admin/events`).
struct AdminEventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Record a platform event: a read-only notification thread in the brand's inbox.",
        discussion: """
            The same event id recorded again makes no second notification. partner_left also sets the \
            partner's status to ended. Types: \(PlatformEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")).
            """)
    @OptionGroup var dataOptions: ServerDataOptions
    @Option(name: .long, help: "The brand.") var brand: String
    @Option(name: .long, help: "The event's id at its source: the same id twice makes one notification.") var id: String
    @Option(name: .long, help: "The kind of event.") var type: PlatformEvent.Kind
    @Option(name: .long, help: "The partner it concerns.") var partner: String
    @Option(name: .long, help: "The thread's subject (a default for the type when absent).") var subject: String?
    @Argument(help: "The notification's text.") var text: String
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
        let store = try dataOptions.open()
        let event = PlatformEvent(id: id, brand: brand, type: type, partner: partner, subject: subject, text: text)
        let result = try server { () throws(ServerError) in try store.postPlatformEvent(event) }
        if json { return try Output.json(result) }
        print(result.duplicate ? "Event \(id) was already recorded: conversation \(result.conversation)."
                               : "Notification \(result.conversation) created in \(brand).")
    }
}
