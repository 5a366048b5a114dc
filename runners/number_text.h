#pragma once
// How the worker writes numbers for people (status messages, worker.log, the progress bar):
// "61,706", "84.21%". Pure functions.

#include "base/number_text.h"

#include <cstdint>
#include <string>

namespace tl::runners {

using base::groupedDigits; // one home for digit grouping: base/number_text.h

// A number as printf's %g writes it: 0.01, 1e-05, 0.9.
std::string shortNumber(double value);

// A fraction as a percentage with two decimals: 0.8421 -> "84.21%".
std::string percentText(double fraction);

} // namespace tl::runners
