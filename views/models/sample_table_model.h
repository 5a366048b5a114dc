#pragma once
// The first rows of a tabular dataset: one row per sample, the label (as its class name) in the
// first column, then one column per feature; the vertical header gives the sample's index in
// the train split. Fed TableRow structs by the dataset panel; UI thread; never reads files.

#include <QAbstractTableModel>

#include <string>
#include <vector>

namespace tl::datasets {
struct TableRow;
}

namespace tl::views {

class SampleTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    // Qt::UserRole on the label column gives the class index (qint64); on a feature column, the
    // value as a double.
    static constexpr int kValueRole = Qt::UserRole;

    explicit SampleTableModel(QObject *parent = nullptr);
    ~SampleTableModel() override;

    // Replaces every row. There is a column for every feature name and every value of the
    // longest row: unnamed features (NumPy arrays) are headed "feature N", 1-based. A row with
    // fewer values shows the missing cells empty.
    void setRows(std::vector<datasets::TableRow> rows,
                 std::vector<std::string> featureNames,
                 std::vector<std::string> classNames);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString labelText(std::int64_t label) const;

    std::vector<datasets::TableRow> m_rows;
    std::vector<std::string> m_featureNames;
    std::vector<std::string> m_classNames;
    std::size_t m_features = 0; // feature columns
};

} // namespace tl::views
