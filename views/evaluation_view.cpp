#include "views/evaluation_view.h"

#include "base/number_text.h"
#include "views/confusion_matrix_view.h"
#include "views/models/class_accuracy_model.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

// The accuracy column as a bar behind its number, coloured like the matrix's diagonal.
class AccuracyBarDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        const QVariant fraction = index.data(ClassAccuracyModel::kFractionRole);
        if (fraction.isValid()) {
            const double f = std::clamp(fraction.toDouble(), 0.0, 1.0);
            QRectF bar = QRectF(option.rect).adjusted(2, 3, -2, -3);
            bar.setWidth(bar.width() * f);
            QColor colour = ConfusionMatrix::cellColour(1.0, true);
            colour.setAlpha(70);
            painter->fillRect(bar, colour);
        }
        QStyledItemDelegate::paint(painter, option, index);
    }
};

// val first (what training watches), then test (the verdict), then anything else by name.
int splitRank(const std::string &split)
{
    return split == "val" ? 0 : split == "test" ? 1 : 2;
}

QString percent(double fraction)
{
    return QStringLiteral("%1%").arg(fraction * 100.0, 0, 'f', 2);
}

} // namespace

EvaluationView::EvaluationView(QWidget *parent)
    : QWidget(parent)
    , m_split(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_matrix(new ConfusionMatrixView(this))
    , m_classes(new ClassAccuracyModel(this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
{
    m_split->setObjectName(QStringLiteral("evaluationSplit"));
    m_split->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_summary->setObjectName(QStringLiteral("evaluationSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sorted->setSourceModel(m_classes);
    m_sorted->setSortRole(ClassAccuracyModel::kSortRole);
    m_table->setObjectName(QStringLiteral("classAccuracyTable"));
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // class order until a header is clicked
    m_table->setItemDelegateForColumn(ClassAccuracyModel::Accuracy,
                                      new AccuracyBarDelegate(m_table));
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(ClassAccuracyModel::Class, 130);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Split:"), this));
    top->addWidget(m_split);
    top->addWidget(m_summary, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_matrix);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(m_split, &QComboBox::activated, this, [this] {
        m_chosen = m_split->currentText();
        showSplit(m_chosen);
    });
    clear();
}

void EvaluationView::setEvaluations(const std::vector<proto::EvaluationEvent> &evaluations)
{
    m_evaluations.clear();
    for (const proto::EvaluationEvent &evaluation : evaluations) {
        m_evaluations[evaluation.split()] = evaluation;
    }
    rebuildChooser();
}

void EvaluationView::addEvaluation(const proto::EvaluationEvent &evaluation)
{
    m_evaluations[evaluation.split()] = evaluation;
    rebuildChooser();
}

void EvaluationView::clear()
{
    m_evaluations.clear();
    rebuildChooser();
}

QStringList EvaluationView::splits() const
{
    std::vector<std::string> names;
    for (const auto &[name, evaluation] : m_evaluations) {
        names.push_back(name);
    }
    std::stable_sort(names.begin(), names.end(), [](const std::string &a, const std::string &b) {
        return splitRank(a) < splitRank(b);
    });
    QStringList out;
    for (const std::string &name : names) {
        out << QString::fromStdString(name);
    }
    return out;
}

QString EvaluationView::currentSplit() const
{
    return m_split->currentText();
}

bool EvaluationView::setCurrentSplit(const QString &split)
{
    if (m_evaluations.count(split.toStdString()) == 0) {
        return false;
    }
    m_chosen = split;
    rebuildChooser();
    return true;
}

QString EvaluationView::summaryText() const
{
    return m_summary->text();
}

QString EvaluationView::preferredSplit() const
{
    const QStringList held = splits();
    if (held.contains(m_chosen)) {
        return m_chosen;
    }
    // Unless the user picked one: the final test verdict once it exists, else validation.
    if (held.contains(QStringLiteral("test"))) {
        return QStringLiteral("test");
    }
    return held.isEmpty() ? QString() : held.front();
}

void EvaluationView::rebuildChooser()
{
    const QString shown = preferredSplit();
    const QSignalBlocker blocker(m_split);
    m_split->clear();
    m_split->addItems(splits());
    m_split->setCurrentIndex(m_split->findText(shown));
    m_split->setEnabled(m_split->count() > 1);
    showSplit(shown);
}

void EvaluationView::showSplit(const QString &split)
{
    const auto found = m_evaluations.find(split.toStdString());
    if (found == m_evaluations.end()) {
        m_summary->setText(tr("No evaluation yet: a run shows its confusion matrix here once it "
                              "has evaluated a split."));
        m_matrix->setEmptyMessage(tr("No evaluation yet."));
        m_matrix->setMatrix(ConfusionMatrix());
        m_classes->clear();
        return;
    }
    const proto::EvaluationEvent &evaluation = found->second;
    ConfusionMatrix matrix(evaluation);
    m_summary->setText(summary(evaluation));
    m_matrix->setEmptyMessage(tr("This evaluation has no classes (a regression loss)."));
    m_classes->setEvaluation(evaluation, matrix);
    m_matrix->setMatrix(std::move(matrix));
}

QString EvaluationView::summary(const proto::EvaluationEvent &e)
{
    QStringList parts;
    parts << tr("step %1 (epoch %2)")
                 .arg(QString::fromStdString(base::groupedDigits(e.step())))
                 .arg(e.epoch());
    parts << tr("loss %1").arg(e.loss(), 0, 'f', 4);
    if (!e.class_accuracy().empty() || e.accuracy() > 0) {
        parts << tr("accuracy %1").arg(percent(e.accuracy()));
    }
    if (e.top5() > 0) {
        parts << tr("top-5 %1").arg(percent(e.top5()));
    }
    parts << tr("%1 samples")
                 .arg(QString::fromStdString(
                     base::groupedDigits(static_cast<std::int64_t>(e.samples()))));
    return parts.join(QStringLiteral(" · "));
}

} // namespace tl::views
