import Foundation
import InboxModel

/// Words and dates as the web UI shows them (pure functions, injected "now").
enum DisplayText {
    /// `14:05` today, `Nov 26` this year, `26 Nov 2025` before.
    static func date(_ milliseconds: UInt64, now: Date) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let calendar = Calendar(identifier: .gregorian)
        let style: Date.FormatStyle
        if calendar.isDate(date, inSameDayAs: now) {
            style = Date.FormatStyle(date: .omitted, time: .shortened)
        } else if calendar.component(.year, from: date) == calendar.component(.year, from: now) {
            style = Date.FormatStyle().month(.abbreviated).day()
        } else {
            style = Date.FormatStyle(date: .abbreviated, time: .omitted)
        }
        return date.formatted(style.locale(Locale(identifier: "en_GB")))
    }

    /// `26 Nov 2026, 14:05`: message times and the last sync.
    static func dateTime(_ milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            .formatted(Date.FormatStyle(date: .abbreviated, time: .shortened).locale(Locale(identifier: "en_GB")))
    }

    /// ISO 8601, for `<time datetime>`.
    static func iso(_ milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }

    static func kind(_ kind: ConversationKind) -> String {
        switch kind {
        case .direct: "Direct"
        case .system: "Notification"
        case .inquiry: "Customer Inquiry"
        }
    }

    static func status(_ status: PartnershipStatus) -> String {
        switch status {
        case .pending: "Pending"
        case .active: "Active"
        case .paused: "Paused"
        case .ended: "Ended"
        }
    }

    static func delivery(_ state: DeliveryState) -> String {
        switch state {
        case .pending: "Pending — waiting to go up"
        case .queued: "Queued at the server"
        case .sent: "Sent"
        case .failed: "Failed"
        }
    }

    static func plural(_ count: Int, _ word: String) -> String {
        "\(count) \(word)\(count == 1 ? "" : "s")"
    }
}
