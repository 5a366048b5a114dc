#include "views/models/sample_table_model.h"

#include "datasets/dataset_preview.h"

#include <algorithm>

namespace tl::views {
namespace {

constexpr int kLabelColumn = 0;

} // namespace

SampleTableModel::SampleTableModel(QObject *parent) : QAbstractTableModel(parent)
{}

SampleTableModel::~SampleTableModel() = default;

void SampleTableModel::setRows(std::vector<datasets::TableRow> rows,
                               std::vector<std::string> featureNames,
                               std::vector<std::string> classNames)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_featureNames = std::move(featureNames);
    m_classNames = std::move(classNames);
    m_features = m_featureNames.size();
    for (const datasets::TableRow &row : m_rows) {
        m_features = std::max(m_features, row.values.size());
    }
    endResetModel();
}

void SampleTableModel::clear()
{
    setRows({}, {}, {});
}

int SampleTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SampleTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 1 + static_cast<int>(m_features);
}

QString SampleTableModel::labelText(std::int64_t label) const
{
    const auto at = static_cast<std::size_t>(label);
    return label >= 0 && at < m_classNames.size() ? QString::fromStdString(m_classNames[at])
                                                  : QString::number(label);
}

QVariant SampleTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const datasets::TableRow &row = m_rows[static_cast<std::size_t>(index.row())];
    if (index.column() == kLabelColumn) {
        if (role == Qt::DisplayRole) {
            return labelText(row.label);
        }
        return role == kValueRole ? QVariant::fromValue<qint64>(row.label) : QVariant();
    }
    const auto feature = static_cast<std::size_t>(index.column() - 1);
    if (feature >= row.values.size()) {
        return {};
    }
    const auto value = static_cast<double>(row.values[feature]);
    switch (role) {
    case Qt::DisplayRole:
        return QString::number(value, 'g', 6);
    case kValueRole:
        return value;
    case Qt::TextAlignmentRole:
        return QVariant::fromValue<int>(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant SampleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || section < 0) {
        return {};
    }
    if (orientation == Qt::Vertical) {
        return section < rowCount()
                   ? QVariant::fromValue<qint64>(m_rows[static_cast<std::size_t>(section)].index)
                   : QVariant();
    }
    if (section == kLabelColumn) {
        return tr("label");
    }
    const auto feature = static_cast<std::size_t>(section - 1);
    if (feature < m_featureNames.size()) {
        return QString::fromStdString(m_featureNames[feature]);
    }
    return feature < m_features ? tr("feature %1").arg(feature + 1) : QVariant();
}

} // namespace tl::views
