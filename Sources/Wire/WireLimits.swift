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

    /// The defaults bound what one frame can cost a receiver: decoded protobuf of many tiny repeated
    /// fields (dots) takes up to about 35 times its size in memory, so 4 MiB decoded stays near
    /// 150 MB at worst, while a sender's 2 MiB pages leave room for any single op.
    public init(maxFrameBytes: Int = 4 << 20, maxDecodedBytes: Int = 4 << 20, maxCompressionRatio: Double = 100,
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
