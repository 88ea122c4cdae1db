/// A condition checked inside the transaction that writes an object (conditional writes).
public enum WritePrecondition: Sendable, Equatable {
    /// Write unconditionally.
    case none
    /// `If-None-Match: *`: write only when no object exists under the key.
    case ifNoneMatchAny
    /// `If-Match: <etag>`: write only when the current object's entity tag (unquoted) equals it;
    /// `"*"` means "only when an object exists".
    case ifMatch(String)
}
