import Foundation
import OutpostTestSupport
import Scenario
import Testing

/// Every scenario file of the library (Protocol/scenarios) passes: its expectations hold and no
/// invariant breaks at any step.
@Suite("Scenario library")
struct ScenarioLibraryTests {
    static let folder = Repository.url("Protocol/scenarios")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
    }

    @Test("the library has at least 25 field stories")
    func librarySize() {
        #expect(Self.files.count >= 25, "only \(Self.files.count) scenario files in \(Self.folder.path)")
    }

    /// Stories of thousands of steps, run in the simulator only (Protocol/SCENARIOS.md, "Field scale").
    static let fieldScale = folder.appendingPathComponent("field-scale")

    @Test("a field-scale story passes in the simulator", arguments: ["week-offline-10k-messages.yaml"])
    func fieldScaleStory(_ name: String) throws {
        let document = try ScenarioParser.load(path: Self.fieldScale.appendingPathComponent(name).path)
        #expect(document.steps.count > 11_000)
        let report = try ScenarioRunner().run(document, file: name)
        #expect(report.stepsRun == document.steps.count)
        #expect(report.passed, "\(name):\n\(report.failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("scenario passes", arguments: files)
    func scenario(_ name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        let document = try ScenarioParser.load(path: path)
        let report = try ScenarioRunner().run(document, file: name)
        #expect(report.stepsRun == document.steps.count)
        #expect(report.passed, "\(name):\n\(report.failures.map(\.description).joined(separator: "\n"))")
    }
}
