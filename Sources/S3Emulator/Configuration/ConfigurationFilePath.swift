/// Builds the JSON paths that configuration errors name, like `users[1].accessKeys[0].secretAccessKey`.
///
/// A member whose name is not a plain identifier is written in brackets, as in
/// `users[0].policies["read-only photos"]`.
enum ConfigurationFilePath {
    /// The path of member `name` of the object at `path`.
    static func member(_ name: String, of path: String) -> String {
        if isIdentifier(name) {
            return path.isEmpty ? name : path + "." + name
        }
        var quoted = "\""
        for character in name.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.unicodeScalars.append(character)
            }
        }
        return path + "[" + quoted + "\"]"
    }

    /// The path of element `index` of the array at `path`.
    static func element(_ index: Int, of path: String) -> String {
        path + "[\(index)]"
    }

    /// Letters, digits, `_`, `-` and `$`, not starting with a digit or `-`.
    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first), first != UInt8(ascii: "-") else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "$"):
                true
            default:
                false
            }
        }
    }
}
