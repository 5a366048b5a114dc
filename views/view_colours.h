#pragma once
// The colours the views share, so an error (or a NaN) reads the same in every panel.

#include <QColor>
#include <QString>

namespace tl::views {

// Errors: a failed load, an error line in the log, NaN and Inf in a tensor.
inline const QColor kErrorColour(0xc6, 0x28, 0x28);

// A label's style sheet for error text.
inline QString errorTextStyle()
{
    return QStringLiteral("color: %1;").arg(kErrorColour.name());
}

} // namespace tl::views
