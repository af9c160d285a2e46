import Scenario
import Testing

/// Bad scenario files get a clear error with the line; good ones survive a write and a read.
@Suite("Scenario files")
struct ScenarioParserTests {
    static let header = """
        name: t
        users: [dana]
        partners: [p1]
        devices:
          - {name: laptop, user: dana}
        steps:

        """

    @Test("bad files name the line and the problem", arguments: [
        ("  - reply: laptop\n    thread: nope\n    text: hi\n", 7, "no thread labelled nope"),
        ("  - sync: phone\n", 7, "no device phone"),
        ("  - fly: laptop\n", 7, "unknown step `fly`"),
        ("  - partner: p1\n    new: a\n    subject: s\n    text: t\n  - read: laptop\n    thread: a\n    txt: hi\n", 13,
         "unknown key `txt`"),
        ("  - advance: soon\n", 7, "must be a duration"),
        ("  - crash: laptop\n    at: sometime\n", 8, "must be one of now, before-commit"),
        ("  - drop: laptop\n    count: 0\n", 7, "`count` must be at least 1"),
        ("  - truncate: laptop\n    skip: -1\n", 7, "`skip` cannot be negative"),
        ("  - expect: server\n    pending: 0\n", 7, "expect it on a device"),
        ("  - expect: laptop\n    pending: -1\n", 7, "`pending` cannot be negative"),
        ("  - repeat: 0\n    steps:\n      - sync: all\n", 7, "`repeat` takes 1 to 100000 passes"),
        ("  - repeat: 2\n    steps: []\n", 8, "a list of at least one step"),
        ("  - repeat: 2\n    counter: n1\n    steps:\n      - sync: all\n", 7, "a `counter` is a name of letters"),
        ("  - repeat: 100000\n    steps:\n      - repeat: 2\n        steps:\n          - sync: all\n", 11,
         "the steps expand to more than 100000"),
        ("  - repeat: 2\n    steps:\n      - sync: nobody{i}\n", 9, "no device nobody1"),
        ("  - expect: laptop\n    unread: maybe\n", 8, "must be true or false"),
        ("  - sync: [laptop\n", 8, "not valid YAML"),
        ("  - partner: p1\n    new: a\n    subject: s\n    text: t\n  - expect: server\n    thread: a\n    unread: true\n",
         11, "the server's replica belongs to no user"),
        ("  - partner: p1\n    new: a\n    subject: s\n    text: t\n  - expect: server\n    thread: a\n    conflict: false\n",
         11, "expect `unread`, `draft`, `conflict` and `new` on a device"),
        ("  - partner: p1\n    new: a\n    subject: s\n    text: t\n  - expect: laptop\n    thread: a\n    draft: x\n"
            + "    conflict: true\n", 11, "give one"),
        ("  - platform: status\n    partner: p1\n    status: paused\n    text: hi\n", 7, "takes `partner` and `status` only"),
        ("  - platform: notify\n    partner: p1\n    text: hi\n    status: paused\n", 7, "only a `status` event takes"),
        ("  - platform: notify\n    partner: p1\n    text: hi\n    id: two words\n", 7, "1 to 200 characters without spaces"),
        ("  - platform: status\n    partner: p1\n    status: paused\n    id: e1\n", 7, "takes `partner` and `status` only"),
        ("  - crash: laptop\n    at: after-commit\n    batch: 0\n", 7, "`batch` counts received batches from 1"),
        ("  - crash: laptop\n    at: mid-batch\n    progress: 120%\n", 7, "a percentage from 1% to 100%"),
        ("  - crash: laptop\n    at: mid-batch\n    batch: 2\n    progress: 50%\n", 7, "give one"),
        ("  - crash: laptop\n    batch: 2\n", 7, "use them with `before-commit`"),
        ("  - crash: server\n    at: after-action\n", 7, "the server has none"),
        ("  - deliver: laptop\n", 7, "write `deliver: server`"),
        ("  - expect: laptop\n    wire-ratio: fast\n", 8, "a number or a range"),
        ("  - expect: laptop\n    sessions: 3..1\n", 8, "a number or a range"),
        ("  - expect: server\n    sessions: 1\n", 7, "expect them on a device"),
        ("  - expect: laptop\n    delivery: [sent]\n", 7, "need `thread:`"),
        ("  - partner: p1\n    new: a\n    subject: s\n    text: t\n  - expect: laptop\n    thread: a\n"
            + "    delivery: [delivered]\n", 13, "pending, queued, sent or failed"),
        ("  - expect: mail\n    to: p9\n    count: 1\n", 7, "no partner p9"),
        ("  - expect: mail\n    to: p1\n", 7, "needs one of count, copies"),
        ("  - expect: mail\n    copies: 0\n", 7, "`copies` is at least 1"),
        ("  - expect: mail\n    count: 1\n    threaded: true\n", 7, "`threaded` needs `thread:`"),
        ("  - expect: mail\n    count: 1\n    colour: red\n", 9, "unknown key `colour`"),
    ])
    func badFile(_ steps: String, _ line: Int, _ message: String) {
        #expect {
            try ScenarioParser.parse(Self.header + steps, file: "bad.yaml")
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.code == "bad_scenario" && error.line == line && error.message.contains(message)
                && error.description.hasPrefix("bad.yaml:\(line): ")
        }
    }

    @Test("`conflict: false` passes for one version or none, and fails on a conflict")
    func conflictFalse() throws {
        func run(_ steps: String) throws -> Bool {
            try ScenarioRunner().run(try ScenarioParser.parse("""
                name: t
                users: [dana]
                partners: [p1]
                devices:
                  - {name: laptop, user: dana}
                  - {name: tablet, user: dana}
                steps:
                  - partner: p1
                    new: a
                    subject: s
                    text: t
                  - sync: all

                """ + steps)).passed
        }
        #expect(try run("  - expect: laptop\n    thread: a\n    conflict: false\n"))
        #expect(try run("  - draft: laptop\n    thread: a\n    text: one\n  - expect: laptop\n    thread: a\n    conflict: false\n"))
        let conflicted = """
              - draft: laptop
                thread: a
                text: the laptop's words
              - draft: tablet
                thread: a
                text: the tablet's other words
              - sync: all
              - sync: all
              - expect: laptop
                thread: a

            """
        #expect(try run(conflicted + "    conflict: true\n"))
        #expect(try !run(conflicted + "    conflict: false\n"))
    }

    @Test("missing top-level fields and bad ids are refused")
    func badTopLevel() {
        #expect(throws: ScenarioError.self) { try ScenarioParser.parse("name: x\nusers: [dana]\nsteps: []\n") }
        #expect(throws: ScenarioError.self) {
            try ScenarioParser.parse("name: x\nusers: [Dana!]\ndevices: []\nsteps: []\n")
        }
        #expect(throws: ScenarioError.self) {
            try ScenarioParser.parse("name: x\nusers: [dana]\ndevices:\n  - {name: server, user: dana}\nsteps: []\n")
        }
        #expect(throws: ScenarioError.self) { try ScenarioParser.parse("") }
    }

    @Test("a written document reads back the same", arguments: [UInt64(3), 17, 99, 1234])
    func roundTrip(seed: UInt64) throws {
        let document = ScenarioGenerator(devices: 3...5, steps: 40).generate(seed: seed)
        let text = ScenarioWriter.yaml(document)
        var reread = try ScenarioParser.parse(text)
        reread.steps = reread.steps.map { Step($0.action) }
        #expect(reread == document, "\(text)")
    }

    @Test("the fuzzer writes partial reads and delivers some platform events twice")
    func generatorUsesNewSteps() {
        var repeated = 0
        var partial = 0
        for seed in UInt64(1)...200 {
            var ids: Set<String> = []
            for step in ScenarioGenerator(devices: 3...5, steps: 40).generate(seed: seed).steps {
                if case .platform(let event) = step.action, let id = event.id, !ids.insert(id).inserted { repeated += 1 }
                if case .user(_, .read(_, .some), _) = step.action { partial += 1 }
            }
        }
        #expect(repeated > 0)
        #expect(partial > 0)
    }

    @Test("the fuzzer delivers mail, places crashes by batch and share and after actions, and checks copies")
    func generatorUsesDeliveryAndCrashPoints() {
        var delivers = 0, numbered = 0, shares = 0, afterAction = 0, copies = 0
        for seed in UInt64(1)...200 {
            for step in ScenarioGenerator(devices: 3...5, steps: 40).generate(seed: seed).steps {
                switch step.action {
                case .deliver: delivers += 1
                case .crash(let node, let spec):
                    if case .number? = spec.batch { numbered += 1 }
                    if case .progress? = spec.batch { shares += 1 }
                    if spec.point == .afterAction {
                        afterAction += 1
                        #expect(node != "server")
                    }
                case .expect(.mail(let expected)) where expected.copies == 1: copies += 1
                default: break
                }
            }
        }
        #expect(delivers > 200)
        #expect(numbered > 0)
        #expect(shares > 0)
        #expect(afterAction > 0)
        #expect(copies == 200)
    }

    @Test("ranges read as written")
    func ranges() {
        #expect(ValueRange("12") == ValueRange(lower: 12, upper: 12))
        #expect(ValueRange("10..20") == ValueRange(lower: 10, upper: 20))
        #expect(ValueRange("..1.2") == ValueRange(lower: nil, upper: 1.2))
        #expect(ValueRange("40%..") == ValueRange(lower: 40, upper: nil))
        #expect(ValueRange("50% .. 70%") == ValueRange(lower: 50, upper: 70))
        for bad in ["", "..", "fast", "1..2..3", "-1", "5..1", "nan", "inf"] { #expect(ValueRange(bad) == nil, "\(bad)") }
        #expect(ValueRange("..1.2")!.contains(1.2))
        #expect(!ValueRange("..1.2")!.contains(1.21))
        #expect(ValueRange("10..20")?.description == "10..20")
    }

    @Test("a repeat block writes its steps out, counters replaced, nested blocks included")
    func repeatBlocks() throws {
        let document = try ScenarioParser.parse(Self.header + """
              - partner: p1
                new: t
                subject: s
                text: t
              - repeat: 2
                counter: round
                steps:
                  - repeat: 3
                    steps:
                      - reply: laptop
                        thread: t
                        text: "{round}.{i}"
              - sync: all

            """)
        let texts = document.steps.compactMap { step -> String? in
            if case .user(_, .reply(_, let text), _) = step.action { text } else { nil }
        }
        #expect(texts == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"])
        #expect(document.steps.count == 8)
    }

    @Test("JSON is a scenario file too")
    func json() throws {
        let document = try ScenarioParser.parse("""
            {"name": "j", "users": ["dana"], "partners": ["p1"], "devices": [{"name": "laptop", "user": "dana"}],
             "steps": [{"partner": "p1", "new": "t", "subject": "S", "text": "hi"}, {"sync": "all"},
                       {"expect": "laptop", "thread": "t", "messages": ["hi"], "unread": true}]}
            """)
        #expect(try ScenarioRunner().run(document).passed)
    }
}
