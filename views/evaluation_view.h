#pragma once
// A run's evaluations: a split chooser (val, test), the split's loss / accuracy / top-5, its
// confusion matrix as a heat map and a per-class accuracy table. Fed EvaluationEvents by the
// runs controller (a stored run) and the training controller (live, each as it arrives).
// A UI-thread widget; it never reads the store.

#include "proto/torchlight.pb.h"

#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace tl::views {

class ClassAccuracyModel;
class ConfusionMatrixView;

class EvaluationView : public QWidget
{
    Q_OBJECT

public:
    explicit EvaluationView(QWidget *parent = nullptr);

    // Replaces everything shown: the latest evaluation of each split of one run.
    void setEvaluations(const std::vector<proto::EvaluationEvent> &evaluations);
    // A newer evaluation of one split (live): replaces that split's and shows it when it is the
    // split on screen, or the one to prefer.
    void addEvaluation(const proto::EvaluationEvent &evaluation);
    void clear();

    // The splits held, in chooser order: val, test, then others by name.
    QStringList splits() const;
    QString currentSplit() const;
    // Shows split (as if the user chose it); false when it is not held.
    bool setCurrentSplit(const QString &split);
    QString summaryText() const;

    ConfusionMatrixView &matrixView() const { return *m_matrix; }
    ClassAccuracyModel &classModel() const { return *m_classes; }
    QTableView &classTable() const { return *m_table; }

private:
    void rebuildChooser();
    QString preferredSplit() const;
    void showSplit(const QString &split);
    static QString summary(const proto::EvaluationEvent &evaluation);

    std::map<std::string, proto::EvaluationEvent> m_evaluations;
    QString m_chosen; // the split the user picked; kept while that split exists
    QComboBox *m_split = nullptr;
    QLabel *m_summary = nullptr;
    ConfusionMatrixView *m_matrix = nullptr;
    ClassAccuracyModel *m_classes = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace tl::views
