#pragma once
// One fuzz target = one function from bytes to nothing, written once with
// LASTGOOD_FUZZ_TARGET(name) { ... input ... }. In the fuzz build (clang,
// -fsanitize=fuzzer) it becomes libFuzzer's LLVMFuzzerTestOneInput; in the
// ordinary build it is registered by name for fuzz_replay, which feeds it the
// checked-in corpus and every input that ever crashed.
// A target catches only the error type its parser documents: anything else
// escaping (another exception, a crash, a sanitizer report) is a finding.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lastgood::fuzz {

using TargetFunction = void (*)(std::string_view input);

// Replay build only: adds a target to the table fuzz_replay looks names up in.
bool register_target(const char* name, TargetFunction function);

} // namespace lastgood::fuzz

#ifdef LASTGOOD_LIBFUZZER
#define LASTGOOD_FUZZ_ENTRY(name)                                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)                \
  {                                                                                                \
    fuzz_body_##name(std::string_view(reinterpret_cast<const char*>(data), size));                 \
    return 0;                                                                                      \
  }
#else
#define LASTGOOD_FUZZ_ENTRY(name)                                                                  \
  [[maybe_unused]] static const bool fuzz_registered_##name =                                      \
      lastgood::fuzz::register_target(#name, fuzz_body_##name);
#endif

#define LASTGOOD_FUZZ_TARGET(name)                                                                 \
  static void fuzz_body_##name(std::string_view input);                                            \
  LASTGOOD_FUZZ_ENTRY(name)                                                                        \
  static void fuzz_body_##name(std::string_view input)
