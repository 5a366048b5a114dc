#pragma once
// Per-class results of one evaluation as table rows: the class, its accuracy (recall), how
// many samples of it the split holds, and what it is most often mistaken for. Fed by
// EvaluationView; lives on the UI thread; never reads the store.

#include "proto/torchlight.pb.h"
#include "views/confusion_matrix.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace tl::views {

class ClassAccuracyModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Class, Accuracy, Samples, MistakenFor, ColumnCount };
    // The number a column sorts by (accuracy as a fraction, -1 where the split holds none).
    static constexpr int kSortRole = Qt::UserRole;
    // Accuracy column: the fraction in [0, 1] for a bar, or an invalid QVariant.
    static constexpr int kFractionRole = Qt::UserRole + 1;

    explicit ClassAccuracyModel(QObject *parent = nullptr);

    // One row per class of the evaluation (its class_accuracy, or the matrix's classes).
    void setEvaluation(const proto::EvaluationEvent &evaluation, const ConfusionMatrix &matrix);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString name;
        std::optional<double> accuracy;       // none where the split holds no sample of the class
        std::optional<std::uint64_t> samples; // none without a confusion matrix
        QString mistakenFor;                  // "Shirt (12.3%)", or empty
        double mistakenShare = 0;
    };

    QVariant display(const Row &row, int column) const;
    QVariant sortKey(const Row &row, int column) const;

    std::vector<Row> m_rows;
};

} // namespace tl::views
