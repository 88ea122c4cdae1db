import Foundation
import NIOCore
import S3EmulatorCore

/// Reads a POST Object body (`multipart/form-data`) as it arrives: the fields before the
/// `file` part are collected (at most ``maximumPreDataLength`` bytes of form data, boundaries
/// included), the file's content is handed on in pieces as they arrive, and whatever follows
/// the file part is read and ignored, as S3 ignores it.
///
/// Malformed bodies are S3's client errors, never faults: MalformedPOSTRequest for broken
/// framing, MaxPostPreDataLengthExceeded for too much before the file, IncompleteBody for a body
/// shorter than its `Content-Length`.
///
/// ```swift
/// var reader = MultipartFormDataReader(boundary: boundary, body: request.body, declaredLength: length)
/// let head = try await reader.readFields()          // fields, and the file part's head (or nil)
/// let size = try await reader.streamFile { piece in try await upload.append(piece) }
/// try await reader.drain()
/// ```
struct MultipartFormDataReader {
    /// What S3 accepts before the file: 20 KB of fields and boundaries.
    static let maximumPreDataLength = 20 * 1024

    /// The `file` part's head.
    struct FilePart: Equatable {
        /// The `filename` parameter as sent; nil when the part has none.
        var filename: String?
        /// The part's own `Content-Type`, if any.
        var contentType: String?
    }

    private var iterator: S3RequestBody.AsyncIterator
    private let delimiter: [UInt8]
    private let declaredLength: Int64
    private var buffer = ByteBuffer()
    /// Body bytes received so far.
    private(set) var received: Int64 = 0
    /// Body bytes consumed by the parser (the synthetic leading CRLF not counted).
    private var consumed: Int64 = -2
    private var finished = false

    init(boundary: String, body: S3RequestBody, declaredLength: Int64) {
        self.iterator = body.makeAsyncIterator()
        self.delimiter = Array("\r\n--\(boundary)".utf8)
        self.declaredLength = declaredLength
        // The first boundary may open the body without a line break before it.
        buffer.writeString("\r\n")
    }

    // MARK: - Fields

    /// Reads the parts before the file. Returns the fields in order and the file part's head, or
    /// nil for the file when the body closes without one.
    mutating func readFields() async throws -> (fields: [(name: String, value: String)], file: FilePart?) {
        var fields: [(name: String, value: String)] = []
        // Preamble: anything before the first boundary.
        guard try await skipToDelimiter() else { throw S3Error(.malformedPOSTRequest) }
        while true {
            guard try await readAfterDelimiter() else { return (fields, nil) }
            let headers = try await readPartHeaders()
            let disposition = MultipartFormData.ContentDisposition(headers["content-disposition"] ?? "")
            guard let name = disposition.name, !name.isEmpty else { throw S3Error(.malformedPOSTRequest) }
            if disposition.type == "form-data", name.lowercased() == "file" {
                try checkPreData()
                return (fields, FilePart(filename: disposition.filename, contentType: headers["content-type"]))
            }
            var value: [UInt8] = []
            guard try await readPart(into: &value) else { throw try endOfBody() }
            fields.append((name, String(decoding: value, as: UTF8.self)))
        }
    }

    /// After a delimiter: `--` closes the body (false); otherwise optional padding and CRLF
    /// start the next part (true).
    private mutating func readAfterDelimiter() async throws -> Bool {
        try await require(2)
        if buffer.readableBytesView.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) {
            return false
        }
        while true {
            try await require(1)
            guard let byte = buffer.readableBytesView.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else { break }
            advance(1)
        }
        try await require(2)
        guard buffer.readableBytesView.starts(with: [13, 10]) else { throw S3Error(.malformedPOSTRequest) }
        advance(2)
        return true
    }

    /// The header fields of a part (names lowercased), up to and including the empty line.
    private mutating func readPartHeaders() async throws -> [String: String] {
        var headers: [String: String] = [:]
        while true {
            let line = try await readLine()
            if line.isEmpty { return headers }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw S3Error(.malformedPOSTRequest) }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased().trimmingCharacters(in: .whitespaces)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if headers[name] == nil { headers[name] = value }
        }
    }

    /// One CRLF-terminated line, without the CRLF.
    private mutating func readLine() async throws -> [UInt8] {
        var searched = 0
        while true {
            let view = buffer.readableBytesView
            if let index = view.dropFirst(searched).firstIndex(of: 10) {
                let length = index - view.startIndex
                guard length >= 1, view[index - 1] == 13 else { throw S3Error(.malformedPOSTRequest) }
                let line = Array(view.prefix(length - 1))
                advance(length + 1)
                try checkPreData()
                return line
            }
            searched = view.count
            try checkPreData(pending: view.count)
            guard try await fill() else { throw try endOfBody() }
        }
    }

    /// A field part's content into `value`, consuming the delimiter after it; false when the
    /// body ends first.
    private mutating func readPart(into value: inout [UInt8]) async throws -> Bool {
        while true {
            let (length, found) = scan()
            if length > 0 {
                value += buffer.readableBytesView.prefix(length)
                advance(length)
                try checkPreData()
            }
            if found {
                advance(delimiter.count)
                try checkPreData()
                return true
            }
            try checkPreData(pending: buffer.readableBytes)
            guard try await fill() else { return false }
        }
    }

    /// Discards up to and including the first delimiter; false when the body ends first.
    private mutating func skipToDelimiter() async throws -> Bool {
        while true {
            let (length, found) = scan()
            advance(length)
            if found {
                advance(delimiter.count)
                return true
            }
            try checkPreData(pending: buffer.readableBytes)
            guard try await fill() else { return false }
        }
    }

    private func checkPreData(pending: Int = 0) throws(S3Error) {
        guard consumed + Int64(pending) <= Int64(Self.maximumPreDataLength) else {
            throw S3Error(.maxPostPreDataLengthExceeded, details: [("MaxPostPreDataLengthBytes", String(Self.maximumPreDataLength))])
        }
    }

    // MARK: - The file

    /// Hands the file's content to `consume` in pieces as it arrives; returns its size. The
    /// delimiter after the file is consumed.
    mutating func streamFile(_ consume: (ByteBuffer) async throws -> Void) async throws -> Int64 {
        var size: Int64 = 0
        while true {
            let (length, found) = scan()
            if length > 0 {
                if let piece = buffer.readSlice(length: length) {
                    consumed += Int64(length)
                    size += Int64(length)
                    try await consume(piece)
                }
            }
            if found {
                advance(delimiter.count)
                return size
            }
            guard try await fill() else { throw try endOfBody() }
        }
    }

    /// Reads the rest of the body (the parts after the file, which S3 ignores) and checks that
    /// it is as long as `Content-Length` said.
    mutating func drain() async throws {
        buffer.clear()
        while try await fill() {
            buffer.clear()
        }
        try checkLength()
    }

    // MARK: - Buffer

    /// Where the delimiter starts in the buffer, or how many bytes can be handed on safely
    /// because no delimiter can start among them: `(length, found)`.
    private func scan() -> (Int, Bool) {
        buffer.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            guard let base = bytes.baseAddress else { return (0, false) }
            var index = 0
            while index < count {
                // memchr finds the next CR at memory speed; the delimiter starts with CRLF.
                guard let found = memchr(base + index, Int32(delimiter[0]), count - index) else { return (count, false) }
                index = base.distance(to: UnsafeRawPointer(found))
                let available = min(delimiter.count, count - index)
                var matches = true
                for offset in 1..<available where bytes[index + offset] != delimiter[offset] {
                    matches = false
                    break
                }
                if matches {
                    return available == delimiter.count ? (index, true) : (index, false)
                }
                index += 1
            }
            return (count, false)
        }
    }

    private mutating func advance(_ count: Int) {
        buffer.moveReaderIndex(forwardBy: count)
        consumed += Int64(count)
    }

    /// Reads until `count` bytes are buffered.
    private mutating func require(_ count: Int) async throws {
        while buffer.readableBytes < count {
            guard try await fill() else { throw try endOfBody() }
        }
    }

    /// Appends the next piece of the body; false at its end.
    private mutating func fill() async throws -> Bool {
        guard !finished else { return false }
        let next: ByteBuffer?
        do {
            next = try await iterator.next()
        } catch let error as S3Error {
            throw error
        } catch {
            throw S3Error(.incompleteBody)
        }
        guard var piece = next else {
            finished = true
            return false
        }
        received += Int64(piece.readableBytes)
        if buffer.readerIndex > 0, buffer.readableBytes == 0 {
            buffer.clear()
        } else if buffer.readerIndex > 64 * 1024 {
            buffer.discardReadBytes()
        }
        buffer.writeBuffer(&piece)
        return true
    }

    /// The error for a body that ended inside a part: IncompleteBody when it is shorter than
    /// declared, MalformedPOSTRequest otherwise.
    private func endOfBody() throws -> S3Error {
        try checkLength()
        return S3Error(.malformedPOSTRequest)
    }

    private func checkLength() throws(S3Error) {
        guard received == declaredLength else { throw S3Error(.incompleteBody) }
    }
}
