// The exception types used inside CellForge. Each maps to one kind of failure that
// the edges (CLI exit codes, GUI dialogs) report differently.
#pragma once

#include <stdexcept>
#include <string>

namespace cellforge {

// Bad input: a corrupt or unsupported file, a wrong parameter, an invalid pipeline.
// The message names the file or field, what was found and what was expected.
// The CLI exits with code 2.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A stage failed while running (an algorithm could not produce a result).
// The CLI exits with code 3.
class StageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown from inside a job when its cancel flag was seen. Not an error to report.
// The CLI exits with code 130.
class CancelledError : public std::runtime_error {
public:
    CancelledError() : std::runtime_error("cancelled") {}
};

}  // namespace cellforge
