/// Why a frame could not be decoded or encoded. A closed set: every decoder failure is one of
/// these, with a stable code for the error frame and the server's JSON errors.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the header says, or than a header needs.
    case truncated(expected: Int, got: Int)
    /// Bytes after the frame's payload.
    case trailingBytes(Int)
    /// The first four bytes are not `OPST`.
    case badMagic
    /// A frame version this build does not speak.
    case unsupportedVersion(UInt8)
    /// Unknown flag bits, non-zero reserved bytes, or lengths that contradict each other.
    case malformedHeader(String)
    /// A length above the limit, refused before anything is allocated.
    case tooLarge(what: String, size: Int, limit: Int)
    /// Decompressed size over compressed size above the limit (a decompression bomb).
    case compressionRatio(Double, limit: Double)
    /// zlib refused the compressed payload.
    case badCompression(String)
    /// The payload's CRC-32 does not match the header.
    case checksumMismatch(expected: UInt32, actual: UInt32)
    /// The payload is not a valid protobuf `Frame`.
    case malformedPayload(String)
    /// The payload decoded but breaks a rule: a bad index, an id that does not parse, a missing field.
    case invalidContent(String)

    /// The stable code: `frame_truncated`, `frame_malformed`, `unsupported_version`, `frame_too_large`,
    /// `frame_bomb`, `frame_checksum`, `frame_invalid`.
    public var code: ErrorFrame.Code {
        switch self {
        case .truncated: .frameTruncated
        case .trailingBytes, .badMagic, .malformedHeader, .badCompression, .malformedPayload: .frameMalformed
        case .unsupportedVersion: .unsupportedVersion
        case .tooLarge: .frameTooLarge
        case .compressionRatio: .frameBomb
        case .checksumMismatch: .frameChecksum
        case .invalidContent: .frameInvalid
        }
    }

    public var description: String {
        switch self {
        case .truncated(let expected, let got): "frame truncated: expected \(expected) bytes, got \(got)"
        case .trailingBytes(let count): "\(count) unexpected bytes after the frame"
        case .badMagic: "not an Outpost frame (bad magic)"
        case .unsupportedVersion(let version): "unsupported frame version \(version)"
        case .malformedHeader(let why): "malformed frame header: \(why)"
        case .tooLarge(let what, let size, let limit): "\(what) of \(size) bytes is over the limit of \(limit)"
        case .compressionRatio(let ratio, let limit):
            "compression ratio \(Int(ratio)):1 is over the limit of \(Int(limit)):1"
        case .badCompression(let why): "bad compressed payload: \(why)"
        case .checksumMismatch(let expected, let actual):
            "checksum mismatch: header says \(String(expected, radix: 16)), payload has \(String(actual, radix: 16))"
        case .malformedPayload(let why): "malformed payload: \(why)"
        case .invalidContent(let why): "invalid frame content: \(why)"
        }
    }
}
