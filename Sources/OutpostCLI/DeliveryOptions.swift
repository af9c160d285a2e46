import ArgumentParser
import SyncServer

/// Where and how replies are delivered (Protocol/SERVER_API.md, "Reply delivery"): the options
/// `outpost server` and `outpost admin deliver` share.
struct MailTransportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Deliver replies through this SMTP relay (instead of writing .eml files).", valueName: "host:port"))
    var smtp: String?
    @Option(name: .long, help: ArgumentHelp(
        "Write delivered replies as .eml files into this folder (the default, in DATA/outbox-mail).", valueName: "dir"))
    var mailDir: String?
    @Option(name: .long, help: ArgumentHelp("The sender address of delivered replies.", valueName: "address"))
    var mailFrom = DeliveryConfiguration.defaultFrom.description
    @Option(name: .long, help: ArgumentHelp(
        "Attempts per reply before it fails for good (1–100; transient failures only).", valueName: "n"))
    var deliveryAttempts = 8
    @Option(name: .long, help: ArgumentHelp(
        "The wait after a reply's first failed attempt; it doubles with each further one, up to an hour.",
        valueName: "seconds"))
    var deliveryBackoff = 30.0
    @Option(name: .long, help: ArgumentHelp("The longest one SMTP dialogue may take.", valueName: "seconds"))
    var smtpTimeout = 60.0

    func validate() throws {
        if smtp != nil && mailDir != nil { throw ValidationError("--smtp and --mail-dir exclude each other") }
        if let smtp, SMTPMailTransport.relay(smtp) == nil {
            throw ValidationError("--smtp must be HOST:PORT or [IPv6]:PORT with a port of 1–65535, not \"\(smtp)\"")
        }
        if let mailDir, mailDir.isEmpty { throw ValidationError("--mail-dir must name a folder") }
        guard MailAddress(mailFrom) != nil else {
            throw ValidationError("--mail-from must be an ASCII email address such as outpost@example.com, not \"\(mailFrom)\"")
        }
        guard (1...100).contains(deliveryAttempts) else { throw ValidationError("--delivery-attempts must be 1–100") }
        guard deliveryBackoff > 0, deliveryBackoff <= 86_400 else {
            throw ValidationError("--delivery-backoff must be over 0 and at most 86400 seconds")
        }
        guard smtpTimeout > 0, smtpTimeout <= 3_600 else {
            throw ValidationError("--smtp-timeout must be over 0 and at most 3600 seconds")
        }
    }

    /// The delivery these options give for the data directory `data`.
    func configuration(data: String) -> DeliveryConfiguration? {
        guard let from = MailAddress(mailFrom) else { return nil }
        let transport: any MailTransport
        if let smtp, let relay = SMTPMailTransport.relay(smtp) {
            transport = SMTPMailTransport(host: relay.host, port: relay.port, heloName: from.domain,
                                          timeout: Self.duration(smtpTimeout))
        } else {
            transport = FileMailTransport(directory: mailDir ?? data + "/outbox-mail")
        }
        return DeliveryConfiguration(transport: transport, from: from, maxAttempts: deliveryAttempts,
                                     firstRetry: Self.duration(deliveryBackoff))
    }

    /// Where replies go, for log lines and summaries.
    func describe(data: String) -> String {
        if let smtp { return "smtp://\(smtp)" }
        return "files in \(mailDir ?? data + "/outbox-mail")"
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}

/// `outpost server`'s reply delivery options: the transport's, and `--hold-mail`.
struct DeliveryOptions: ParsableArguments {
    @OptionGroup var transport: MailTransportOptions
    @Flag(name: .long, help: "Deliver nothing: replies stay queued until a server runs without this flag.")
    var holdMail = false

    func validate() throws {
        if holdMail && (transport.smtp != nil || transport.mailDir != nil) {
            throw ValidationError("--hold-mail delivers nothing: drop --smtp and --mail-dir")
        }
    }

    /// The delivery the options give for the data directory `data`; `nil` with `--hold-mail`.
    func configuration(data: String) -> DeliveryConfiguration? {
        holdMail ? nil : transport.configuration(data: data)
    }

    /// Where replies go, for the start-up log line.
    func describe(data: String) -> String {
        holdMail ? "held (--hold-mail)" : transport.describe(data: data)
    }
}
