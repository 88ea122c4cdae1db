#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for programs that have their own `main` (libclang_rt.fuzzer provides it
/// when linked with -sanitize=fuzzer). SwiftPM names an executable's entry point itself, so
/// s3emu-fuzz calls the driver from its `@main` instead of using libFuzzer's `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
