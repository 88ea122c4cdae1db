/// One page of ``MetadataStore/listParts(uploadID:partNumberMarker:maxParts:)``.
public struct PartListing: Sendable, Equatable {
    /// The parts after the marker, by part number.
    public var parts: [PartRecord] = []
    /// True when more parts follow.
    public var isTruncated = false

    /// An empty page.
    public init() {}
}
