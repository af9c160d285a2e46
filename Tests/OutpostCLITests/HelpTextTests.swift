import ArgumentParser
import OutpostCLI
import Testing

/// Every command's help, as argument-parser prints it: no sentence has a run of spaces in it (as a
/// multi-line string literal with its source indentation left inside would give).
@Suite struct HelpTextTests {
    /// The root and every subcommand, depth first.
    static let commands: [any ParsableCommand.Type] = {
        var found: [any ParsableCommand.Type] = []
        func walk(_ command: any ParsableCommand.Type) {
            found.append(command)
            for sub in command.configuration.subcommands { walk(sub) }
        }
        walk(OutpostCommand.self)
        return found
    }()

    @Test("every command's help has no run of spaces inside its text")
    func noRunsOfSpaces() {
        #expect(Self.commands.count > 30, "\(Self.commands.count) commands found")
        for command in Self.commands {
            let help = OutpostCommand.helpMessage(for: command, columns: 200)
            let name = command.configuration.commandName ?? "\(command)"
            #expect(!help.isEmpty, "\(name)")
            for line in help.split(separator: "\n") {
                let text = Self.prose(of: line)
                #expect(!text.contains("  "), "\(name): \(line)")
            }
        }
    }

    @Test("the check finds a run of spaces in a sentence, and lets a table's column gap be")
    func checkSeesRuns() {
        #expect(Self.prose(of: "  starts a server             with demo data").contains("  "))
        #expect(!Self.prose(of: "  --replica <path>        The replica file.").contains("  "))
        #expect(!Self.prose(of: "  inbox                   Show the inbox.").contains("  "))
        #expect(!Self.prose(of: "  create (default)        Print a token.").contains("  "))
    }

    /// A help line's text: without its indentation, and for a row of an options, arguments or
    /// subcommands table, without its label and the column gap after it.
    static func prose(of line: Substring) -> Substring {
        let text = line.drop { $0 == " " }
        guard line.hasPrefix("  "), let gap = text.firstRange(of: "  ") else { return text }
        let label = text[..<gap.lowerBound]
        let isRow = label.hasPrefix("-") || label.hasPrefix("<") || !label.contains(" ")
            || label.hasSuffix(" (default)")
        return isRow ? text[gap.upperBound...].drop { $0 == " " } : text
    }
}
