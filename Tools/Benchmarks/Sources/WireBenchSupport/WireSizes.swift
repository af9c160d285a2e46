import Causality
import Foundation
import InboxModel
import Wire

/// One size figure: bytes on the wire for something, with its limit when there is one (README.md,
/// "Benchmarks").
public struct SizeFigure: Codable, Sendable {
    public var key: String
    public var title: String
    public var bytes: Double
    /// Upper limit in bytes (`nil`: shown for information).
    public var limit: Double?
    public var detail: String
}

/// The wire-size figures (not timed): bytes per new message, per read-state change, and a sync
/// round's handshake (Hello, Welcome, Ack) as the real sessions write it. Frames are `FrameCodec.encode`'s, header included.
public enum WireSizes {
    public static let messageLimit = 200.0
    public static let readLimit = 32.0
    public static let roundLimit = 512.0

    public static func figures(corpus: String?) throws -> [SizeFigure] {
        var figures: [SizeFigure] = []

        let (batch, texts) = try WireData.timedBatch()
        let frame = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: batch, more: true)))
        let payload = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: batch, more: true)), compress: false)
        figures.append(SizeFigure(
            key: "batch", title: "timed batch: \(batch.count) demo ops, per op", bytes: per(frame, batch.count),
            limit: nil,
            detail: "\(texts), frame \(frame.count) B, payload \(payload.count - FrameCodec.headerSize) B (zlib "
                + String(format: "%.1fx", Double(payload.count) / Double(frame.count)) + "); " + mix(batch)))

        let messages = WireData.demoMessages(count: 1_000)
        figures.append(try messageFigure("message.demo", "new message, demo text (templated)", messages))
        if let corpus {
            figures.append(try messageFigure(
                "message.prose", "new message, English prose",
                WireData.withTexts(messages, WireData.proseTexts(corpus: corpus, count: messages.count))))
            figures.append(try messageFigure(
                "message.words", "new message, random words (pessimistic)",
                WireData.withTexts(messages, WireData.randomWordTexts(corpus: corpus, count: messages.count))))
        }

        let reads = WireData.deviceReads(count: 1_000)
        let readFrame = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: reads, more: false)))
        let readPayload = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: reads, more: false)), compress: false)
        var markers = 0, deps = 0, clears = 0
        for op in reads {
            deps += op.deps.count
            if case .markRead(let read) = op.body {
                markers += read.marker.dots.count
                clears += read.clears.count
            }
        }
        figures.append(SizeFigure(
            key: "read", title: "read-state change (markRead)", bytes: per(readFrame, reads.count),
            limit: readLimit,
            detail: "\(reads.count) ops from one device; per op: " + String(
                format: "%.2f marker dots, %.2f deps, %.3f clears; ", Double(markers) / Double(reads.count),
                Double(deps) / Double(reads.count), Double(clears) / Double(reads.count))
                + "payload \(per(readPayload, reads.count, header: true).formatted1) B/op before zlib"))

        for smallIDs in [false, true] {
            let scheme = smallIDs ? "small ids" : "random ids"
            for devices in [5, 20, 100] {
                let frames = try WireData.roundFrames(devices: devices, smallIDs: smallIDs)
                let empty = try WireData.roundFrames(devices: devices, smallIDs: smallIDs, emptyVectors: true)
                let total = frames.reduce(0) { $0 + $1.1.count }
                let vectorPart = total - empty.reduce(0) { $0 + $1.1.count }
                figures.append(SizeFigure(
                    key: "round.\(smallIDs ? "small" : "random").\(devices)",
                    title: "sync round, \(devices) devices + server, \(scheme)", bytes: Double(total),
                    limit: roundLimit,
                    detail: frames.map { "\($0.0) \($0.1.count)" }.joined(separator: " + ")
                        + " B; vectors \(vectorPart) B; the device and one other wrote since the last round"))
            }
        }
        // What the changes save, and what a round costs when many devices wrote or when the vectors
        // go whole (a first sync, or a hello whose base the server forgot).
        for (writers, whole) in [(10, false), (99, false), (1, true)] {
            let frames = try WireData.roundFrames(devices: 100, smallIDs: false, writers: writers, whole: whole)
            let total = frames.reduce(0) { $0 + $1.1.count }
            figures.append(SizeFigure(
                key: whole ? "round.random.100.whole" : "round.random.100.writers\(writers)",
                title: whole ? "sync round, 100 devices, whole vectors"
                    : "sync round, 100 devices, \(writers) other writers",
                bytes: Double(total), limit: nil,
                detail: frames.map { "\($0.0) \($0.1.count)" }.joined(separator: " + ") + " B"))
        }
        return figures
    }

    static func messageFigure(_ key: String, _ title: String, _ messages: [Op]) throws -> SizeFigure {
        let frame = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: messages, more: false)))
        let stored = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: messages, more: false)), compress: false)
        var text = 0
        for op in messages { if case .postMessage(let post) = op.body { text += post.body.utf8.count } }
        let textDeflated = RawZlib.deflate(Array(messages.compactMap {
            if case .postMessage(let post) = $0.body { post.body } else { nil }
        }.joined().utf8)).count
        return SizeFigure(
            key: key, title: title, bytes: per(frame, messages.count), limit: messageLimit,
            detail: "\(messages.count) postMessage ops, text \(text / messages.count) B avg; payload "
                + "\(per(stored, messages.count, header: true).formatted1) B/msg before zlib; the texts alone "
                + "deflate to \((Double(textDeflated) / Double(messages.count)).formatted1) B/msg")
    }

    static func per(_ frame: [UInt8], _ count: Int, header: Bool = false) -> Double {
        Double(frame.count - (header ? FrameCodec.headerSize : 0)) / Double(max(count, 1))
    }

    static func mix(_ ops: [Op]) -> String {
        var counts: [OpKind: Int] = [:]
        for op in ops { counts[op.kind, default: 0] += 1 }
        return counts.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// The figures as a text table.
    public static func table(_ figures: [SizeFigure]) -> String {
        var lines: [String] = []
        for figure in figures {
            let limit = figure.limit.map { "≤ \(Int($0)) B" } ?? ""
            let verdict = figure.limit.map { figure.bytes <= $0 ? "pass" : "FAIL" } ?? ""
            let value = figure.key.hasSuffix(".max") ? "\(Int(figure.bytes))" : "\(figure.bytes.formatted1) B"
            lines.append("\(figure.title.padding(toLength: 52, withPad: " ", startingAt: 0)) "
                + "\(value.padding(toLength: 10, withPad: " ", startingAt: 0)) \(limit.padding(toLength: 9, withPad: " ", startingAt: 0)) \(verdict)")
            lines.append("    \(figure.detail)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Double {
    var formatted1: String { String(format: "%.1f", self) }
}
