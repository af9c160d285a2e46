import NIOCore

/// The NIO side of ``SMTPReplyParser``: reads CRLF (or bare LF) terminated lines off the socket
/// and passes on whole replies.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    private var parser = SMTPReplyParser()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > SMTPReplyParser.maxLine { throw SMTPReplyParser.Failure.lineTooLong }
            return .needMoreData
        }
        let length = end - buffer.readerIndex
        guard var line = buffer.readBytes(length: length + 1) else { return .needMoreData }
        line.removeLast()
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if let reply = try parser.line(line) {
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer,
                             seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
