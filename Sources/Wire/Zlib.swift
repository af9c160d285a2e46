import CZlib

/// zlib (RFC 1950) deflate and a bounded inflate, over the system libz.
public enum Zlib {
    /// `input` compressed at `level` (6: what frames use).
    public static func deflate(_ input: [UInt8], level: Int32 = 6) throws(WireError) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw WireError.badCompression("deflateInit failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var input = input
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw WireError.badCompression("deflate failed (\(status))") }
        output.removeLast(bound - Int(stream.total_out))
        return output
    }

    /// Inflates `input`, which must decode to exactly `expectedSize` bytes; the output buffer is
    /// allocated once at that size (already checked against the limits) and never grows.
    static func inflate(_ input: ArraySlice<UInt8>, expectedSize: Int) throws(WireError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw WireError.badCompression("inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        // One spare byte: output that would exceed the announced size is detected, not truncated.
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        var source = Array(input)
        let status = source.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        let produced = Int(stream.total_out)
        guard status == Z_STREAM_END else {
            if produced > expectedSize || (status == Z_BUF_ERROR && stream.avail_out == 0) {
                throw WireError.malformedHeader("the payload inflates to more than the \(expectedSize) bytes announced")
            }
            throw WireError.badCompression(status == Z_DATA_ERROR ? "corrupt deflate data" : "incomplete deflate data")
        }
        guard stream.avail_in == 0 else { throw WireError.trailingBytes(Int(stream.avail_in)) }
        guard produced == expectedSize else {
            throw WireError.malformedHeader("the payload inflates to \(produced) bytes, the header says \(expectedSize)")
        }
        output.removeLast()
        return output
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}
