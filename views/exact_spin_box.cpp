#include "views/exact_spin_box.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace tl::views {
namespace {

// QDoubleSpinBox rounds every value to decimals(); with this many, 'f' formatting keeps 17
// significant digits for anything above ~1e-20, so no value a user types is changed.
constexpr int kDecimals = 40;

} // namespace

ExactSpinBox::ExactSpinBox(QWidget *parent) : QDoubleSpinBox(parent)
{
    setDecimals(kDecimals);
    setKeyboardTracking(false);
}

void ExactSpinBox::stepBy(int steps)
{
    if (m_stepFactor > 1.0 && value() > 0) {
        setValue(value() * std::pow(m_stepFactor, steps));
        return;
    }
    QDoubleSpinBox::stepBy(steps);
}

QString ExactSpinBox::textFromValue(double value) const
{
    // The shortest digits that read back as value, placed as printf's %g places them: plain
    // from 1e-4 ("0.0003", where Qt's shortest form would say "3e-04") up to 1e15.
    char buffer[64];
    auto scientific =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string_view text(buffer, static_cast<std::size_t>(scientific.ptr - buffer));
    const std::size_t e = text.find('e');
    int exponent = 0;
    if (e != std::string_view::npos) {
        const char *from = text.data() + e + 1;
        from += *from == '+' ? 1 : 0;
        std::from_chars(from, text.data() + text.size(), exponent);
    }
    if (exponent >= -4 && exponent < 15) {
        auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
        return QString::fromLatin1(buffer, static_cast<qsizetype>(fixed.ptr - buffer));
    }
    return QString::fromLatin1(text.data(), static_cast<qsizetype>(text.size()));
}

double ExactSpinBox::valueFromText(const QString &text) const
{
    const QString body = text.trimmed();
    if (!specialValueText().isEmpty() && body == specialValueText()) {
        return minimum();
    }
    bool ok = false;
    const double value = body.toDouble(&ok);
    return ok ? value : this->value();
}

QValidator::State ExactSpinBox::validate(QString &input, int &pos) const
{
    Q_UNUSED(pos)
    const QString body = input.trimmed();
    if (!specialValueText().isEmpty() && body == specialValueText()) {
        return QValidator::Acceptable;
    }
    if (body.isEmpty()) {
        return QValidator::Intermediate;
    }
    bool ok = false;
    const double value = body.toDouble(&ok);
    if (ok && std::isfinite(value)) {
        return value >= minimum() && value <= maximum() ? QValidator::Acceptable
                                                        : QValidator::Intermediate;
    }
    // "1e", "1e-", "0." and "-" are on their way to a number.
    for (QChar c : body) {
        if (!c.isDigit() && c != QLatin1Char('.') && c != QLatin1Char('e') && c != QLatin1Char('E')
            && c != QLatin1Char('-') && c != QLatin1Char('+')) {
            return QValidator::Invalid;
        }
    }
    return QValidator::Intermediate;
}

} // namespace tl::views
