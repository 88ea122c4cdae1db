/// What one listing cost: how many index seeks it made and how many rows it stepped over.
struct ListingStatistics: Sendable, Equatable {
    var seeks = 0
    var rowsVisited = 0
}

extension MetadataStore {
    /// One page of ListObjects / ListObjectsV2, as an index range scan over `(bucket, key)`.
    ///
    /// Entries are the keys that start with `prefix` and sort strictly after `marker`, in UTF-8
    /// binary order. With a `delimiter`, a key whose remainder after `prefix` contains the delimiter
    /// rolls up into the common prefix `prefix + remainder through the first delimiter`; a common
    /// prefix counts once towards `maxKeys`, and the scan seeks past all keys sharing it instead
    /// of reading them. A `marker` inside a common prefix means that prefix was already returned.
    /// `maxKeys <= 0` gives an empty, untruncated page (as S3 answers `max-keys=0`).
    ///
    /// The cost is proportional to the page (entries + common prefixes), not to the bucket.
    public func listObjects(bucket: String, prefix: String, delimiter: String?, marker: String?, maxKeys: Int) throws -> ObjectListing {
        try listObjectsWithStatistics(bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys).listing
    }

    /// ``listObjects(bucket:prefix:delimiter:marker:maxKeys:)`` and what it cost.
    func listObjectsWithStatistics(
        bucket: String,
        prefix: String,
        delimiter: String?,
        marker: String?,
        maxKeys: Int
    ) throws -> (listing: ObjectListing, statistics: ListingStatistics) {
        guard maxKeys > 0 else {
            return (ObjectListing(), ListingStatistics())
        }
        let prefixBytes = Array(prefix.utf8)
        let delimiterBytes = Array((delimiter ?? "").utf8)
        // Every key starting with the prefix sorts below its successor; no successor: no bound.
        let upperBound = Self.successor(of: prefixBytes)
        guard var lowerBound = Self.lowerBound(prefix: prefixBytes, delimiter: delimiterBytes, marker: marker) else {
            return (ObjectListing(), ListingStatistics())
        }

        return try read { connection in
            // One read transaction: every seek of this page sees the same snapshot.
            try connection.transaction(immediate: false) {
                var listing = ObjectListing()
                var statistics = ListingStatistics()
                var count = 0
                scan: while true {
                    statistics.seeks += 1
                    let sql = Self.listingSQL(inclusive: lowerBound.inclusive, bounded: upperBound != nil)
                    let next = try connection.withStatement(sql) { statement -> ListingStep in
                        try statement.bind(1, text: bucket)
                        try statement.bind(2, bytes: lowerBound.bytes)
                        if let upperBound {
                            try statement.bind(3, bytes: upperBound)
                        }
                        while try statement.step() {
                            statistics.rowsVisited += 1
                            if count == maxKeys {
                                listing.isTruncated = true
                                return .finished
                            }
                            let commonPrefix: [UInt8]? =
                                delimiterBytes.isEmpty
                                ? nil
                                : statement.withBytes(0) { key in
                                    Self.commonPrefix(of: key, prefixLength: prefixBytes.count, delimiter: delimiterBytes)
                                }
                            if let commonPrefix {
                                let text = String(decoding: commonPrefix, as: UTF8.self)
                                listing.commonPrefixes.append(text)
                                listing.lastReturned = text
                                count += 1
                                guard let after = Self.successor(of: commonPrefix) else {
                                    return .finished
                                }
                                return .seek(after)
                            }
                            let record = try Self.objectRecord(bucket: bucket, statement)
                            listing.lastReturned = record.key
                            listing.objects.append(record)
                            count += 1
                        }
                        return .finished
                    }
                    switch next {
                    case .finished:
                        break scan
                    case .seek(let bytes):
                        lowerBound = (bytes, true)
                    }
                }
                return (listing, statistics)
            }
        }
    }

    private enum ListingStep {
        /// The page is complete (or the range is exhausted).
        case finished
        /// Continue the scan at the first key ≥ these bytes.
        case seek([UInt8])
    }

    /// Where the scan starts: at the prefix, or just after the marker when that is later; past the
    /// whole common prefix when the marker lies inside one. `nil` when nothing can follow.
    static func lowerBound(prefix: [UInt8], delimiter: [UInt8], marker: String?) -> (bytes: [UInt8], inclusive: Bool)? {
        guard let marker else {
            return (prefix, true)
        }
        let markerBytes = Array(marker.utf8)
        if markerBytes.lexicographicallyPrecedes(prefix) {
            return (prefix, true)
        }
        if !delimiter.isEmpty, markerBytes.starts(with: prefix),
            let commonPrefix = markerBytes.withUnsafeBytes({
                commonPrefix(of: $0, prefixLength: prefix.count, delimiter: delimiter)
            })
        {
            guard let after = successor(of: commonPrefix) else {
                return nil
            }
            return (after, true)
        }
        return (markerBytes, false)
    }

    /// The common prefix `key` rolls up into: its bytes through the first `delimiter` after
    /// `prefixLength`, or `nil` when the remainder holds no delimiter.
    static func commonPrefix(of key: UnsafeRawBufferPointer, prefixLength: Int, delimiter: [UInt8]) -> [UInt8]? {
        guard let first = delimiter.first, key.count >= prefixLength + delimiter.count else {
            return nil
        }
        var index = prefixLength
        let last = key.count - delimiter.count
        while index <= last {
            if key[index] == first {
                var matched = true
                for offset in 1..<delimiter.count where key[index + offset] != delimiter[offset] {
                    matched = false
                    break
                }
                if matched {
                    return Array(key[..<(index + delimiter.count)])
                }
            }
            index += 1
        }
        return nil
    }

    /// The least byte string greater than every string that starts with `bytes`: trailing 0xFF
    /// bytes dropped, the last byte incremented. `nil` when there is none (empty or all 0xFF).
    static func successor(of bytes: [UInt8]) -> [UInt8]? {
        var bytes = bytes
        while let last = bytes.last {
            if last == 0xFF {
                bytes.removeLast()
            } else {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
        }
        return nil
    }

    /// The range-scan query: `key >= ?2` or `key > ?2`, and `key < ?3` when the prefix has an end.
    static func listingSQL(inclusive: Bool, bounded: Bool) -> String {
        switch (inclusive, bounded) {
        case (true, true): return listingSQLInclusiveBounded
        case (true, false): return listingSQLInclusive
        case (false, true): return listingSQLExclusiveBounded
        case (false, false): return listingSQLExclusive
        }
    }

    private static let listingSQLInclusiveBounded =
        "SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key >= ?2 AND key < ?3 ORDER BY key"
    private static let listingSQLInclusive =
        "SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key >= ?2 ORDER BY key"
    private static let listingSQLExclusiveBounded =
        "SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key > ?2 AND key < ?3 ORDER BY key"
    private static let listingSQLExclusive =
        "SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key > ?2 ORDER BY key"
}
