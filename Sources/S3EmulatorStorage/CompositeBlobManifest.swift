/// The content of a composite blob's file: the blobs it joins, in order, with their sizes.
///
/// ```text
/// s3emu composite blob 1
/// 3f2a…(32 hex) 5242880
/// 9c01…(32 hex) 1048576
/// ```
///
/// Written once (temp → fsync → rename like any blob) and never changed.
struct CompositeBlobManifest: Equatable {
    /// One joined blob.
    struct Segment: Equatable {
        var blobID: String
        var size: Int64
    }

    static let header = "s3emu composite blob 1"
    /// The most segments a manifest may hold (S3's 10 000 parts, with room to spare).
    static let maxSegments = 100_000

    var segments: [Segment]

    init(segments: [Segment]) {
        self.segments = segments
    }

    /// The file content.
    func text() -> String {
        var text = Self.header + "\n"
        text.reserveCapacity(Self.header.utf8.count + 1 + segments.count * 48)
        for segment in segments {
            text += segment.blobID + " " + String(segment.size) + "\n"
        }
        return text
    }

    /// Parses a manifest; anything else (a truncated or foreign file) throws `corrupt`.
    init(bytes: some Collection<UInt8>, path: String) throws {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.last?.isEmpty == true else {
            throw StorageError.corrupt("composite blob \(path) does not end with a line break")
        }
        lines.removeLast()
        guard let first = lines.first, first.elementsEqual(Self.header.utf8) else {
            throw StorageError.corrupt("composite blob \(path) has no manifest header")
        }
        guard lines.count - 1 <= Self.maxSegments else {
            throw StorageError.corrupt("composite blob \(path) lists more than \(Self.maxSegments) blobs")
        }
        var segments: [Segment] = []
        segments.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard fields.count == 2,
                let size = Int64(String(decoding: fields[1], as: UTF8.self)), size >= 0,
                case let blobID = String(decoding: fields[0], as: UTF8.self), BlobID.isPlain(blobID)
            else {
                throw StorageError.corrupt("composite blob \(path) has an unreadable line")
            }
            segments.append(Segment(blobID: blobID, size: size))
        }
        self.segments = segments
    }
}
