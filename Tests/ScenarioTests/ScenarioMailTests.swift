import Scenario
import Testing

/// `deliver` and `expect: mail` in the simulator: what the partner receives is read back from the
/// mail's bytes, so non-ASCII subjects (encoded words) and long bodies (quoted-printable, soft
/// breaks) must come back as written; wrong expectations fail.
@Suite("Scenario mail")
struct ScenarioMailTests {
    static let story = """
        name: mail
        users: [dana]
        partners:
          - {id: p1, name: Jülich Ökotextil}
          - {id: p2, name: Second}
        devices:
          - {name: laptop, user: dana}
        steps:
          - partner: p1
            new: t
            subject: Grüße aus Köln — Muster
            text: Sind die Muster angekommen?
          - sync: laptop
          - reply: laptop
            thread: t
            text: "Ja, alle drei. Eine lange Zeile, damit quoted-printable sie umbricht: \(String(repeating: "äöü ", count: 30))Ende."
          - reply: laptop
            thread: t
            text: "Zweite Zeile\\nmit Umbruch = und Gleichheitszeichen "
          - sync: laptop
          - deliver: server
          - expect: mail
            to: p1
            thread: t
            count: 2
            copies: 1
            subject: "Re: Grüße aus Köln — Muster"
            threaded: true
            messages:
              - "Ja, alle drei. Eine lange Zeile, damit quoted-printable sie umbricht: \(String(repeating: "äöü ", count: 30))Ende."
              - "Zweite Zeile\\nmit Umbruch = und Gleichheitszeichen "

        """

    @Test("a delivered mail reads back as written: encoded subject, quoted-printable body, threading")
    func readsBack() throws {
        let report = try ScenarioRunner().run(try ScenarioParser.parse(Self.story))
        #expect(report.failures.isEmpty, "\(report.failures)")
    }

    @Test("wrong mail expectations fail with what was found", arguments: [
        ("    count: 2\n", "count: 3\n", "messages mailed"),
        ("    to: p1\n", "to: p2\n", "messages mailed"),
        ("    copies: 1\n", "copies: 2\n", "copies of each message"),
        ("    subject: \"Re: Grüße aus Köln — Muster\"\n", "subject: \"Re: Muster\"\n", "subject"),
    ])
    func wrong(_ original: String, _ replacement: String, _ message: String) throws {
        let text = Self.story.replacingOccurrences(of: original, with: "    " + replacement)
        #expect(text != Self.story)
        let report = try ScenarioRunner().run(try ScenarioParser.parse(text))
        #expect(report.failures.contains { $0.message.contains(message) }, "\(report.failures)")
        #expect(!report.failures.isEmpty && report.failures.allSatisfy { $0.node == "mail" }, "\(report.failures)")
    }

    @Test("a second delivery round mails nothing again; a delivery expectation sees `sent`")
    func once() throws {
        let text = Self.story + """
              - deliver: server
              - sync: laptop
              - expect: laptop
                thread: t
                delivery: [-, sent, sent]
              - expect: mail
                count: 2
                copies: 1

            """
        let report = try ScenarioRunner().run(try ScenarioParser.parse(text))
        #expect(report.failures.isEmpty, "\(report.failures)")
    }
}
