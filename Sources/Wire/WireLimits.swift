/// The caps a decoder enforces before it allocates. Both sides announce theirs in Hello/Welcome;
/// the defaults are the protocol's (WIRE_FORMAT.md §Limits).
public struct WireLimits: Hashable, Sendable {
    /// Largest payload on the wire (after compression).
    public var maxFrameBytes: Int
    /// Largest payload after decompression.
    public var maxDecodedBytes: Int
    /// Largest decompressed/compressed ratio accepted.
    public var maxCompressionRatio: Double
    /// Most ops in one frame.
    public var maxOps: Int

    public init(maxFrameBytes: Int = 16 << 20, maxDecodedBytes: Int = 32 << 20, maxCompressionRatio: Double = 100,
                maxOps: Int = 20_000) {
        self.maxFrameBytes = maxFrameBytes
        self.maxDecodedBytes = maxDecodedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.maxOps = maxOps
    }

    public static let `default` = WireLimits()

    /// Payloads at least this large are deflated; smaller ones stay as they are (a lone small
    /// message grows under zlib).
    public static let compressionThreshold = 512
}
