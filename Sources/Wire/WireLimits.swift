/// The caps a decoder enforces before it allocates. Both sides announce theirs in Hello/Welcome;
/// the defaults are the protocol's (Protocol/WIRE_FORMAT.md, "Limits").
public struct WireLimits: Hashable, Sendable {
    /// Largest payload on the wire (after compression).
    public var maxFrameBytes: Int
    /// Largest payload after decompression.
    public var maxDecodedBytes: Int
    /// Largest decompressed/compressed ratio accepted.
    public var maxCompressionRatio: Double
    /// Most ops in one frame.
    public var maxOps: Int
    /// Most entries in one version vector: one per replica a brand can have
    /// (`OpLimits.maxReplicasPerBrand`, its devices and the server).
    public var maxVectorEntries: Int
    /// Protobuf fields a frame may hold for each byte of its payload on the wire, beyond
    /// ``baseFields``: what bounds the cost of decoding a frame by its size (``fieldBudget(wireBytes:)``).
    public var fieldsPerWireByte: Int
    /// Protobuf fields any frame may hold, however small.
    public var baseFields: Int

    /// The defaults bound what one frame can cost a receiver: decoded protobuf of many tiny repeated
    /// fields (dots) takes up to about 35 times its size in memory, so 4 MiB decoded stays near
    /// 150 MB at worst, while a sender's 2 MiB pages leave room for any single op.
    public init(maxFrameBytes: Int = 4 << 20, maxDecodedBytes: Int = 4 << 20, maxCompressionRatio: Double = 100,
                maxOps: Int = 20_000, maxVectorEntries: Int = 10_000,
                fieldsPerWireByte: Int = 8, baseFields: Int = 65_536) {
        self.maxFrameBytes = maxFrameBytes
        self.maxDecodedBytes = maxDecodedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.maxOps = maxOps
        self.maxVectorEntries = maxVectorEntries
        self.fieldsPerWireByte = fieldsPerWireByte
        self.baseFields = baseFields
    }

    /// The most protobuf fields a frame of `wireBytes` payload bytes may hold: decoding costs about
    /// a hundred bytes of memory per field, so this bounds a frame's cost by its size on the wire
    /// (a legitimate page, even of highly compressible read markers, stays far below it).
    public func fieldBudget(wireBytes: Int) -> Int {
        baseFields + fieldsPerWireByte * max(0, wireBytes)
    }

    public static let `default` = WireLimits()

    /// Payloads at least this large are deflated; smaller ones stay as they are (a lone small
    /// message grows under zlib).
    public static let compressionThreshold = 512
}
