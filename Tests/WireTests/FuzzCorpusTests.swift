import Foundation
import Testing
@testable import Wire

/// Replays the libFuzzer corpus (`Protocol/vectors/fuzz-corpus/`) and every input that ever broke
/// the decoder (`Protocol/vectors/regressions/`): each must decode — and then re-encode to a frame
/// that decodes to the same message — or be refused with a ``WireError``. A crash fails the run.
@Suite("Fuzz corpus and regressions")
struct FuzzCorpusTests {
    static let folders = ["fuzz-corpus", "regressions"]

    /// `folder/name` of every replayed file.
    static var inputs: [String] {
        folders.flatMap { folder in
            ((try? VectorFiles.files(in: VectorFiles.folder(folder))) ?? []).map { "\(folder)/\($0.lastPathComponent)" }
        }
    }

    enum Outcome: Equatable {
        case decoded
        case refused(String)
    }

    /// What the fuzz target checks, as a test: decode; if that works, encode and decode again.
    static func replay(_ bytes: [UInt8]) -> Outcome {
        let message: WireMessage
        do {
            message = try FrameCodec.decode(bytes)
        } catch {
            return .refused(error.code.rawValue)
        }
        do {
            let again = try FrameCodec.encode(message)
            let decoded = try FrameCodec.decode(again)
            #expect(decoded == message, "a decoded frame re-encodes to a different message")
            // Deterministic: the same message always encodes to the same bytes.
            #expect(try FrameCodec.encode(decoded) == again)
        } catch {
            Issue.record("a decoded frame does not survive re-encoding: \(error)")
        }
        return .decoded
    }

    /// The fuzz target's second view of each input (Tools/fuzz-frames): the same bytes with an honest
    /// header for the payload (magic, version 1, no flags, both lengths, CRC-32; the op count kept).
    static func withHonestHeader(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= FrameCodec.headerSize else { return nil }
        let payload = Array(bytes[FrameCodec.headerSize...])
        var raw = RawFrame(payload: payload)
        raw.opCount = FrameHeader.uint32(bytes, 16)
        return raw.bytes
    }

    @Test("the corpus is there, small, and every regression has a README line")
    func layout() throws {
        let corpus = try VectorFiles.files(in: VectorFiles.folder("fuzz-corpus"))
        #expect(!corpus.isEmpty)
        #expect(corpus.count <= 60)
        let total = try corpus.reduce(0) { $0 + (try VectorFiles.bytes($1)).count }
        #expect(total < 200 * 1024)
        let regressions = try VectorFiles.files(in: VectorFiles.folder("regressions"))
        let readme = try String(contentsOf: VectorFiles.folder("regressions").appendingPathComponent("README.md"),
                                encoding: .utf8)
        for file in regressions {
            #expect(readme.contains("`\(file.lastPathComponent)`"), "regressions/README.md does not mention \(file.lastPathComponent)")
        }
    }

    @Test("a corpus or regression input decodes and round-trips, or is refused with a WireError",
          arguments: inputs)
    func replayFile(path: String) throws {
        let bytes = try VectorFiles.bytes(VectorFiles.vectors.appendingPathComponent(path))
        let codes = ["frame_truncated", "frame_malformed", "unsupported_version", "frame_too_large", "frame_bomb",
                     "frame_checksum", "frame_invalid"]
        for input in [bytes, Self.withHonestHeader(bytes)].compactMap(\.self) {
            if case .refused(let code) = Self.replay(input) { #expect(codes.contains(code)) }
        }
    }

    @Test("the committed wire vectors all decode through the same replay")
    func vectorsDecode() throws {
        for file in try VectorFiles.files(in: VectorFiles.folder("wire"), extension: "bin") {
            #expect(Self.replay(try VectorFiles.bytes(file)) == .decoded, "\(file.lastPathComponent)")
        }
    }
}
