#include "views/models/class_accuracy_model.h"

#include "base/number_text.h"

#include <cmath>

namespace tl::views {

ClassAccuracyModel::ClassAccuracyModel(QObject *parent) : QAbstractTableModel(parent)
{}

void ClassAccuracyModel::setEvaluation(const proto::EvaluationEvent &evaluation,
                                       const ConfusionMatrix &matrix)
{
    beginResetModel();
    m_rows.clear();
    const int classes = matrix.isEmpty() ? evaluation.class_accuracy_size() : matrix.classCount();
    m_rows.reserve(static_cast<std::size_t>(std::max(classes, 0)));
    for (int i = 0; i < classes; ++i) {
        Row row;
        if (!matrix.isEmpty()) {
            row.name = matrix.labels()[i];
        } else if (i < evaluation.class_names_size()) {
            row.name = QString::fromStdString(evaluation.class_names(i));
        }
        if (row.name.isEmpty()) {
            row.name = QString::number(i);
        }
        if (i < evaluation.class_accuracy_size() && std::isfinite(evaluation.class_accuracy(i))) {
            row.accuracy = evaluation.class_accuracy(i);
        }
        if (!matrix.isEmpty()) {
            row.samples = matrix.rowTotal(i);
            if (const int other = matrix.mostConfusedWith(i); other >= 0) {
                row.mistakenShare = matrix.rowFraction(i, other);
                row.mistakenFor = QStringLiteral("%1 (%2%)")
                                      .arg(matrix.labels()[other])
                                      .arg(row.mistakenShare * 100.0, 0, 'f', 1);
            }
        }
        m_rows.push_back(std::move(row));
    }
    endResetModel();
}

void ClassAccuracyModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int ClassAccuracyModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ClassAccuracyModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClassAccuracyModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) {
        return {};
    }
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case kSortRole:
        return sortKey(row, index.column());
    case kFractionRole:
        return index.column() == Accuracy && row.accuracy ? QVariant(*row.accuracy) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Accuracy || index.column() == Samples
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant ClassAccuracyModel::display(const Row &row, int column) const
{
    switch (column) {
    case Class:
        return row.name;
    case Accuracy:
        return row.accuracy ? QStringLiteral("%1%").arg(*row.accuracy * 100.0, 0, 'f', 1)
                            : QStringLiteral("–");
    case Samples:
        return row.samples ? QString::fromStdString(
                   base::groupedDigits(static_cast<std::int64_t>(*row.samples)))
                           : QStringLiteral("–");
    case MistakenFor:
        return row.mistakenFor;
    default:
        return {};
    }
}

QVariant ClassAccuracyModel::sortKey(const Row &row, int column) const
{
    switch (column) {
    case Class:
        return row.name;
    case Accuracy:
        return row.accuracy.value_or(-1.0);
    case Samples:
        return static_cast<qulonglong>(row.samples.value_or(0));
    case MistakenFor:
        return row.mistakenShare;
    default:
        return {};
    }
}

QVariant ClassAccuracyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal) {
        return {};
    }
    switch (section) {
    case Class:
        return tr("Class");
    case Accuracy:
        return tr("Accuracy");
    case Samples:
        return tr("Samples");
    case MistakenFor:
        return tr("Most mistaken for");
    default:
        return {};
    }
}

} // namespace tl::views
