import CLibFuzzer
import Foundation
import S3EmulatorFuzzing

/// The target this process fuzzes, from `S3EMU_FUZZ_TARGET` (see `scripts/fuzz --list`).
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["S3EMU_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("s3emu-fuzz: set S3EMU_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input through the selected target; a bug traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    selectedTarget.runOrTrap(bytes)
    return 0
}

/// `s3emu-fuzz [libFuzzer flags] [corpus directories or files]`, with S3EMU_FUZZ_TARGET set.
@main
enum FuzzMain {
    static func main() {
        if ProcessInfo.processInfo.environment["S3EMU_FUZZ_PRINT_MAX_LEN"] != nil {
            // scripts/fuzz asks for the target's -max_len this way.
            print(selectedTarget.maximumInputLength)
            exit(0)
        }
        _ = selectedTarget
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) })
    }
}
