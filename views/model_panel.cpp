#include "views/model_panel.h"

#include "base/number_text.h"
#include "model/graph_analysis.h"
#include "model/templates.h"
#include "views/view_colours.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tl::views {
namespace {

enum LayerColumn { LayerName, LayerOp, LayerShape, LayerParameters, LayerColumnCount };

QString shapeText(const model::Shape &shape)
{
    QStringList dims;
    for (std::int64_t d : shape) {
        dims << QString::number(d);
    }
    return dims.join(QStringLiteral("×"));
}

QTableWidgetItem *cell(const QString &text, Qt::Alignment alignment = Qt::AlignLeft)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(alignment | Qt::AlignVCenter);
    return item;
}

} // namespace

ModelPanel::ModelPanel(QWidget *parent)
    : QWidget(parent)
    , m_chooser(new QComboBox(this))
    , m_layers(new QTableWidget(0, LayerColumnCount, this))
    , m_total(new QLabel(this))
    , m_message(new QLabel(this))
{
    m_chooser->setObjectName(QStringLiteral("modelTemplate"));
    m_layers->setObjectName(QStringLiteral("modelLayers"));
    m_total->setObjectName(QStringLiteral("modelTotal"));
    m_message->setObjectName(QStringLiteral("modelMessage"));
    m_layers->setHorizontalHeaderLabels(
        {tr("Layer"), tr("Op"), tr("Output shape"), tr("Parameters")});
    m_layers->verticalHeader()->setVisible(false);
    m_layers->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_layers->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_layers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(errorTextStyle());
    m_message->setVisible(false);

    auto *form = new QFormLayout;
    form->addRow(tr("Template:"), m_chooser);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_layers, 1);
    layout->addWidget(m_total);
    layout->addWidget(m_message);

    connect(m_chooser, &QComboBox::activated, this,
            [this](int index) { emit templateChosen(m_chooser->itemData(index).toString()); });
}

void ModelPanel::setTemplates(const std::vector<model::ModelTemplate> &templates)
{
    const QString current = currentTemplateId();
    const QSignalBlocker blocker(m_chooser);
    m_chooser->clear();
    for (const model::ModelTemplate &t : templates) {
        m_chooser->addItem(QString::fromStdString(t.displayName), QString::fromStdString(t.id));
        m_chooser->setItemData(m_chooser->count() - 1, QString::fromStdString(t.description),
                               Qt::ToolTipRole);
    }
    if (!current.isEmpty()) {
        setCurrentTemplate(current);
    }
}

void ModelPanel::setCurrentTemplate(const QString &id)
{
    const QSignalBlocker blocker(m_chooser);
    int index = m_chooser->findData(id);
    if (index < 0 && id == kCustomId) {
        m_chooser->addItem(tr("Custom (from the experiment file)"), kCustomId);
        index = m_chooser->count() - 1;
    }
    if (index >= 0) {
        m_chooser->setCurrentIndex(index);
    }
}

QString ModelPanel::currentTemplateId() const
{
    return m_chooser->currentData().toString();
}

void ModelPanel::showAnalysis(const model::GraphAnalysis &analysis)
{
    m_message->setVisible(false);
    m_layers->setRowCount(static_cast<int>(analysis.nodes.size()));
    for (std::size_t i = 0; i < analysis.nodes.size(); ++i) {
        const model::NodeAnalysis &node = analysis.nodes[i];
        const int row = static_cast<int>(i);
        m_layers->setItem(row, LayerName, cell(QString::fromStdString(node.name)));
        m_layers->setItem(row, LayerOp, cell(QString::fromStdString(node.op)));
        m_layers->setItem(row, LayerShape, cell(shapeText(node.outputShape)));
        m_layers->setItem(row, LayerParameters,
                          cell(groupedNumber(node.parameters), Qt::AlignRight));
    }
    m_total->setText(tr("Total parameters: %1 · input %2 → output %3")
                         .arg(groupedNumber(analysis.parameters), shapeText(analysis.inputShape),
                              shapeText(analysis.outputShape)));
}

void ModelPanel::showMessage(const QString &text)
{
    m_layers->setRowCount(0);
    m_total->setText(tr("Total parameters: –"));
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

QString ModelPanel::totalParametersText() const
{
    return m_total->text();
}

int ModelPanel::layerCount() const
{
    return m_layers->rowCount();
}

QString ModelPanel::groupedNumber(qint64 value)
{
    return QString::fromStdString(base::groupedDigits(value));
}

} // namespace tl::views
