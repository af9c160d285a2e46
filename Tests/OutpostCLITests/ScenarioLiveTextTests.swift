import Foundation
import Testing

/// Texts that end in newlines reach the replicas as written in live mode (where they go to
/// `outpost reply|draft|compose … -` on standard input), exactly as in the simulator.
extension ScenarioLiveTests {
    static let newlineScenario = """
        name: texts that end in newlines arrive as written
        users: [dana]
        partners:
          - {id: p1, name: Juniper & Oak}
        devices:
          - {name: laptop, user: dana}
          - {name: tablet, user: dana}
        steps:
          - partner: p1
            new: t
            subject: Samples
            text: Did the samples arrive?
          - sync: all
          - reply: laptop
            thread: t
            text: "hello\\n\\n"
          - draft: tablet
            thread: t
            text: |
              A draft of two lines,
              the second ends in a newline.
          - compose: laptop
            to: p1
            subject: Winter
            text: "Line one\\nLine two\\n"
            as: w
          - sync: all
          - sync: all
          - expect: tablet
            thread: t
            messages: [Did the samples arrive?, "hello\\n\\n"]
            draft: "A draft of two lines,\\nthe second ends in a newline.\\n"
          - expect: server
            thread: w
            messages: ["Line one\\nLine two\\n"]
          - expect: converged
        """

    @Test("a scenario text ending in newlines reaches the replicas exactly, live as in the simulator")
    func newlines() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let file = outpost.directory.appendingPathComponent("newlines.yaml").path
        try Self.newlineScenario.write(toFile: file, atomically: true, encoding: .utf8)
        for mode in [[], ["--live"]] {
            let result = try await outpost.run(["scenario", "run"] + mode + ["--json", file], replica: false)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                      "\(result.stdout)\(result.stderr)")
            #expect((object["errors"] as? [Any])?.isEmpty == true, "\(mode): \(object["errors"] ?? "")")
            let report = try #require((object["reports"] as? [[String: Any]])?.first)
            #expect(report["failures"] as? [Any] == nil || (report["failures"] as? [Any])?.isEmpty == true,
                    "\(mode): \(report["failures"] ?? "")")
            #expect(report["live"] as? Bool == !mode.isEmpty)
            #expect(result.status == 0, "\(mode): \(result.stdout)\(result.stderr)")
        }
    }
}
