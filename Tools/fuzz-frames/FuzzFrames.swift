import Causality
import Foundation
import InboxModel
import Wire

/// libFuzzer target for frame decoding, and (without `-DFUZZING`) a corpus-replay tool.
///
/// Each input goes through `FrameCodec.decode`. A refusal must be a `WireError` (typed throws
/// guarantees it; a trap or an ASan report is a finding). When the input decodes, the message is
/// re-encoded and decoded again, and must come back equal: a mismatch is a crash.
/// Build and run commands: Protocol/vectors/README.md, "Fuzzing".
enum FrameFuzzer {
    /// Runs one input; returns true when it decoded.
    @discardableResult
    static func check(_ bytes: [UInt8]) -> Bool {
        let message: WireMessage
        do {
            message = try FrameCodec.decode(bytes)
        } catch {
            precondition(!error.code.rawValue.isEmpty)
            return false
        }
        let again: [UInt8]
        do {
            again = try FrameCodec.encode(message)
        } catch {
            preconditionFailure("a decoded frame cannot be re-encoded: \(error)")
        }
        do {
            let decoded = try FrameCodec.decode(again)
            precondition(decoded == message, "re-encoding changed the message: \(message) became \(decoded)")
            precondition((try? FrameCodec.encode(decoded)) == again, "encoding is not deterministic")
        } catch {
            preconditionFailure("a re-encoded frame does not decode: \(error)")
        }
        return true
    }
}

extension FrameFuzzer {
    /// The input with an honest header for its payload: magic, version 1, no flags, both lengths
    /// set to the payload's size, the CRC-32 recomputed (the op count is kept). Random mutations of a
    /// payload almost never keep its checksum right; this lets them reach the protobuf and content
    /// checks. `nil` when there is no complete header. Tests/WireTests/FuzzCorpusTests.swift replays
    /// corpus files the same way.
    static func withHonestHeader(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= FrameCodec.headerSize else { return nil }
        var frame = bytes
        let payload = bytes[FrameCodec.headerSize...]
        frame.replaceSubrange(0..<8, with: [0x4F, 0x50, 0x53, 0x54, 1, 0, 0, 0])
        for (offset, value) in [(8, UInt32(payload.count)), (12, UInt32(payload.count)), (20, crc32(payload))] {
            for index in 0..<4 { frame[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
        }
        return frame
    }

    private static let crcTable: [UInt32] = (0..<256).map { (byte: UInt32) in
        (0..<8).reduce(byte) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    /// CRC-32 (ISO-HDLC, as zlib's `crc32`).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}

/// The id parsers, for `OUTPOST_FUZZ=ids`: each input as text through every id parser. An id that
/// parses must be in range and print back as exactly the text it came from (one text form per id),
/// and nothing may trap.
enum IDFuzzer {
    static func check(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for candidate in [text, "1:" + text, "new:" + text, text + ":1"] {
            if let replica = ReplicaID(text: candidate) {
                precondition(replica.isValid && replica.description == candidate, "replica \(candidate)")
            }
            if let dot = Dot(text: candidate) {
                precondition(dot.isValid && dot.description == candidate, "dot \(candidate)")
            }
            if let id = ConversationID(text: candidate) {
                precondition(id.dot.isValid && id.description == candidate, "conversation \(candidate)")
            }
            if let id = MessageID(text: candidate) {
                precondition(id.dot.isValid && id.description == candidate, "message \(candidate)")
            }
            if let key = DraftKey(text: candidate) {
                precondition(key.dot.isValid && key.description == candidate, "draft key \(candidate)")
            }
            for name in [BrandID(rawValue: candidate)?.rawValue, UserID(rawValue: candidate)?.rawValue,
                         PartnerID(rawValue: candidate)?.rawValue] {
                if let name { precondition(name == candidate && TextRules.isAllowedSingleLine(name), "name \(candidate)") }
            }
            if let principal = Principal(text: candidate) {
                precondition(principal.description == candidate, "principal \(candidate)")
            }
        }
    }
}

/// `OUTPOST_FUZZ=ids` fuzzes the id parsers; anything else (or nothing) the frame decoder.
let fuzzTarget = ProcessInfo.processInfo.environment["OUTPOST_FUZZ"] ?? "frames"

/// libFuzzer's entry point: each input as it is, then with an honest header (frames), or as text
/// (ids).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    if fuzzTarget == "ids" {
        IDFuzzer.check(bytes)
        return 0
    }
    FrameFuzzer.check(bytes)
    if let honest = FrameFuzzer.withHonestHeader(bytes), honest != bytes { FrameFuzzer.check(honest) }
    return 0
}

#if !FUZZING
/// `outpost-fuzz-frames FILE|DIR…`: replays each file (each regular file of a directory) through
/// the same checks as the fuzzer (as it is, then with an honest header), and prints how many
/// decoded and how many were refused, by code. A failed check traps, as in the fuzzer.
@main
struct FuzzFramesMain {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty, !arguments.contains("-h"), !arguments.contains("--help") else {
            print("usage: outpost-fuzz-frames FILE|DIR…  (replays inputs through FrameCodec.decode)")
            exit(arguments.isEmpty ? 2 : 0)
        }
        var files: [String] = []
        let manager = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("no such file: \(argument)\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = (try? manager.contentsOfDirectory(atPath: argument)) ?? []
                files += names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
                    .map { (argument as NSString).appendingPathComponent($0) }
            } else {
                files.append(argument)
            }
        }
        var decoded = 0
        var decodedHonest = 0
        var refused: [String: Int] = [:]
        for file in files {
            guard let data = manager.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            if FrameFuzzer.check(bytes) {
                decoded += 1
            } else {
                do { _ = try FrameCodec.decode(bytes) } catch { refused[error.code.rawValue, default: 0] += 1 }
            }
            if let honest = FrameFuzzer.withHonestHeader(bytes), honest != bytes, FrameFuzzer.check(honest) {
                decodedHonest += 1
            }
        }
        let summary = refused.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("\(files.count) inputs: \(decoded) decoded, \(files.count - decoded) refused"
              + (summary.isEmpty ? "" : " (\(summary))")
              + "; with honest headers \(decodedHonest) more decoded")
    }
}
#endif
