import Scenario
import Testing

/// The runner reports failures precisely, replays exactly, and the shrinker makes failures small.
@Suite("Scenario runner")
struct ScenarioRunnerTests {
    /// A file whose expectation fails at step 6 (line 22).
    static let failing = ScenarioLibraryTests.folder.appendingPathComponent("examples/failing-expectation.yaml").path

    @Test("a failing expectation names the step, line, device, expected and actual")
    func failingExpectation() throws {
        let report = try ScenarioRunner().run(try ScenarioParser.load(path: Self.failing))
        let failure = try #require(report.failures.first)
        #expect(report.failures.count == 1)
        #expect(failure.kind == .expectation)
        #expect(failure.step == 6)
        #expect(failure.line == 22)
        #expect(failure.node == "laptop")
        #expect(failure.expected == "false")
        #expect(failure.actual == "true")
        #expect(failure.description.contains("step 6 (line 22), laptop: expectation failed: thread t: unread"))
    }

    @Test("the same document and seed give the same run")
    func deterministic() throws {
        let document = ScenarioGenerator(devices: 3...5, steps: 30).generate(seed: 42)
        let first = try ScenarioRunner(trace: true).run(document)
        let second = try ScenarioRunner(trace: true).run(document)
        #expect(first.trace == second.trace)
        #expect(first.digests == second.digests)
        #expect(first.trace.count > 50)
    }

    @Test("a failure deep in a long scenario shrinks to a few steps")
    func shrinks() throws {
        var document = ScenarioGenerator(devices: 4...4, steps: 40).generate(seed: 5)
        // A wrong expectation in the middle: the laptop is said to have a thread it cannot have.
        let wrong = NodeExpectation.conversations(99)
        document.steps.insert(Step(.expect(.node("d2", wrong))), at: 25)
        let (shrunk, report) = try Shrinker().shrink(document)
        #expect(!report.passed)
        #expect(report.failures.first?.kind == .expectation)
        #expect(shrunk.steps.count <= 5, "\(ScenarioWriter.yaml(shrunk))")
        #expect(shrunk.devices.count <= 2)
        // The file replays the failure exactly.
        let replay = try ScenarioRunner().run(try ScenarioParser.parse(ScenarioWriter.yaml(shrunk)))
        #expect(replay.failures == report.failures)
    }
}

extension NodeExpectation {
    static func conversations(_ count: Int) -> NodeExpectation {
        var expected = NodeExpectation()
        expected.conversations = count
        return expected
    }
}
