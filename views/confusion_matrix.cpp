#include "views/confusion_matrix.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

// The side of a square with `cells` cells, or 0 when cells is not a square.
int squareSide(std::size_t cells)
{
    const auto side = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(cells))));
    return side * side == cells ? static_cast<int>(side) : 0;
}

QColor blend(const QColor &from, const QColor &to, double t)
{
    const auto mix = [t](int a, int b) {
        return static_cast<int>(std::lround(a + (b - a) * t));
    };
    return QColor(mix(from.red(), to.red()), mix(from.green(), to.green()),
                  mix(from.blue(), to.blue()));
}

} // namespace

ConfusionMatrix::ConfusionMatrix(const proto::EvaluationEvent &evaluation)
{
    const auto cells = static_cast<std::size_t>(evaluation.confusion_size());
    const int named = evaluation.class_names_size();
    const int side = named > 0 ? named : squareSide(cells);
    if (cells == 0) {
        return; // a regression evaluation: no classes to confuse
    }
    if (side == 0 || static_cast<std::size_t>(side) * static_cast<std::size_t>(side) != cells) {
        m_problem = named > 0 ? QObject::tr("The evaluation holds %1 confusion counts for %2 "
                                            "classes, not %2 × %2; it cannot be drawn.")
                                    .arg(cells)
                                    .arg(named)
                              : QObject::tr("The evaluation holds %1 confusion counts and no "
                                            "class names; it cannot be drawn.")
                                    .arg(cells);
        return;
    }
    m_classes = side;
    m_counts.assign(evaluation.confusion().begin(), evaluation.confusion().end());
    m_rowTotals.assign(static_cast<std::size_t>(side), 0);
    for (int i = 0; i < side; ++i) {
        const QString name =
            i < named ? QString::fromStdString(evaluation.class_names(i)) : QString();
        m_labels << (name.isEmpty() ? QString::number(i) : name);
        for (int j = 0; j < side; ++j) {
            m_rowTotals[static_cast<std::size_t>(i)] += count(i, j);
        }
    }
}

std::uint64_t ConfusionMatrix::count(int trueClass, int predicted) const
{
    if (trueClass < 0 || predicted < 0 || trueClass >= m_classes || predicted >= m_classes) {
        return 0;
    }
    return m_counts[static_cast<std::size_t>(trueClass) * static_cast<std::size_t>(m_classes)
                    + static_cast<std::size_t>(predicted)];
}

std::uint64_t ConfusionMatrix::rowTotal(int trueClass) const
{
    return trueClass >= 0 && trueClass < m_classes
               ? m_rowTotals[static_cast<std::size_t>(trueClass)]
               : 0;
}

double ConfusionMatrix::rowFraction(int trueClass, int predicted) const
{
    const std::uint64_t total = rowTotal(trueClass);
    return total > 0 ? static_cast<double>(count(trueClass, predicted)) / static_cast<double>(total)
                     : 0.0;
}

int ConfusionMatrix::mostConfusedWith(int trueClass) const
{
    int best = -1;
    std::uint64_t bestCount = 0;
    for (int j = 0; j < m_classes; ++j) {
        if (j != trueClass && count(trueClass, j) > bestCount) {
            best = j;
            bestCount = count(trueClass, j);
        }
    }
    return best;
}

QColor ConfusionMatrix::cellColour(double fraction, bool diagonal)
{
    static const QColor kEmpty(255, 255, 255);
    static const QColor kRight(21, 101, 192); // blue
    static const QColor kWrong(198, 40, 40);  // red
    const double t = std::sqrt(std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0));
    return blend(kEmpty, diagonal ? kRight : kWrong, t);
}

QColor ConfusionMatrix::textColour(const QColor &background)
{
    // Rec. 601 luma: perceived brightness.
    const double luma =
        0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF();
    return luma < 0.55 ? QColor(Qt::white) : QColor(Qt::black);
}

} // namespace tl::views
