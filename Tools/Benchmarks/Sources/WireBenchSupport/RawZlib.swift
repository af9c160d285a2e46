import CZlibBench

/// The raw zlib baseline: one-shot deflate and inflate over the system libz, with nothing around
/// them (no checks beyond zlib's own status, no copies of the input). Same level as the codec (6).
public enum RawZlib {
    /// Deflates `input` (zlib format, RFC 1950) into a buffer of `deflateBound` bytes.
    public static func deflate(_ input: UnsafeRawBufferPointer, level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var produced = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = buffer.baseAddress
            stream.avail_out = uInt(bound)
            precondition(CZlibBench.deflate(&stream, Z_FINISH) == Z_STREAM_END)
            produced = Int(stream.total_out)
            count = produced
        }
        return output
    }

    public static func deflate(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        input.withUnsafeBytes { deflate($0, level: level) }
    }

    /// Inflates `input` into a buffer of exactly `size` bytes (the size is known, as from a frame
    /// header).
    public static func inflate(_ input: UnsafeRawBufferPointer, size: Int) -> [UInt8] {
        var stream = z_stream()
        precondition(inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { inflateEnd(&stream) }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = buffer.baseAddress
            stream.avail_out = uInt(size)
            precondition(CZlibBench.inflate(&stream, Z_FINISH) == Z_STREAM_END)
            count = Int(stream.total_out)
        }
    }

    public static func crc32(_ input: [UInt8]) -> UInt32 {
        input.withUnsafeBufferPointer { UInt32(CZlibBench.crc32(0, $0.baseAddress, uInt($0.count))) }
    }
}
