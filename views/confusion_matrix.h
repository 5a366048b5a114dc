#pragma once
// One evaluation's confusion matrix, checked and ready to draw: rows are true classes, columns
// predictions, colours normalised per row (a class's share of its own samples), so a rare
// class's mistakes stand out as much as a common one's. Value type, built on the UI thread
// from an EvaluationEvent.

#include "proto/torchlight.pb.h"

#include <QColor>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace tl::views {

class ConfusionMatrix
{
public:
    ConfusionMatrix() = default;
    // An event whose counts are not class_names² (or, without names, not a square) gives an
    // empty matrix and problem() says why.
    explicit ConfusionMatrix(const proto::EvaluationEvent &evaluation);

    int classCount() const { return m_classes; }
    bool isEmpty() const { return m_classes == 0; }
    // One per class: the event's names, or "0", "1", ... where it gave none.
    const QStringList &labels() const { return m_labels; }
    // 0 outside the matrix.
    std::uint64_t count(int trueClass, int predicted) const;
    std::uint64_t rowTotal(int trueClass) const;
    // count / rowTotal, in [0, 1]; 0 for a class the split does not hold.
    double rowFraction(int trueClass, int predicted) const;
    // The class trueClass is most often predicted as besides itself, or -1 when never wrong.
    int mostConfusedWith(int trueClass) const;
    QString problem() const { return m_problem; }

    // White at 0 to blue (right predictions, the diagonal) or red (mistakes) at 1. The square
    // root lifts small shares: a 3 % mistake is worth seeing.
    static QColor cellColour(double fraction, bool diagonal);
    // Black or white, whichever reads on background.
    static QColor textColour(const QColor &background);

private:
    int m_classes = 0;
    QStringList m_labels;
    std::vector<std::uint64_t> m_counts; // row-major, m_classes²
    std::vector<std::uint64_t> m_rowTotals;
    QString m_problem;
};

} // namespace tl::views
