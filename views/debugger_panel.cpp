#include "views/debugger_panel.h"

#include "views/tensor_inspector.h"
#include "views/view_colours.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace tl::views {
namespace {

// The node's name, kept apart from the item's text, which also marks the stop.
constexpr int kNodeNameRole = Qt::UserRole + 1;
// How much of the highlight colour the current node's row gets: visible, text still readable.
constexpr int kCurrentRowAlpha = 70;
// The node list grows to show this many nodes at most; more scroll.
constexpr int kNodeRowsInSight = 10;

QPushButton *button(QWidget *parent, const QString &text, const QString &name, const QString &tip)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

QString phaseText(proto::DebugEvent::Phase phase)
{
    return phase == proto::DebugEvent::PHASE_BACKWARD ? QObject::tr("backward")
                                                      : QObject::tr("forward");
}

// A line on why the run stopped when the worker gave none.
QString reasonText(const proto::DebugEvent &event)
{
    const QString node = QString::fromStdString(event.node());
    switch (event.reason()) {
    case proto::DebugEvent::REASON_BREAK:
        return QObject::tr("Stopped on request.");
    case proto::DebugEvent::REASON_STEP:
        return QObject::tr("Stepped to %1.").arg(node);
    case proto::DebugEvent::REASON_NODE:
        return QObject::tr("Breakpoint at %1.").arg(node);
    case proto::DebugEvent::REASON_NONFINITE:
        return QObject::tr("NaN or Inf first seen at %1.").arg(node);
    default:
        return {};
    }
}

QStringList nodeNames(const QListWidget &list)
{
    QStringList names;
    for (int i = 0; i < list.count(); ++i) {
        names.append(list.item(i)->data(kNodeNameRole).toString());
    }
    return names;
}

bool hasBreakpoint(const proto::DebugSettings &settings, const QString &node)
{
    const std::string name = node.toStdString();
    return std::find(settings.break_at_nodes().begin(), settings.break_at_nodes().end(), name)
           != settings.break_at_nodes().end();
}

} // namespace

QString debugStopText(const proto::DebugEvent &event)
{
    QString node = QString::fromStdString(event.node());
    if (!event.op().empty() && event.op() != event.node()) {
        node += QStringLiteral(" (%1)").arg(QString::fromStdString(event.op()));
    }
    QString text = QObject::tr("Step %1 · %2 · %3")
                       .arg(QString::number(event.step()), phaseText(event.phase()), node);
    if (event.nodes_size() > 0) {
        text += QObject::tr(" — node %1 of %2").arg(event.node_index() + 1).arg(event.nodes_size());
    }
    return text;
}

DebuggerPanel::DebuggerPanel(QWidget *parent) : QWidget(parent)
{
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("debugStatus"));
    m_status->setWordWrap(true);
    QFont bold = m_status->font();
    bold.setBold(true);
    m_status->setFont(bold);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("debugMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_break = button(this, tr("Break"), QStringLiteral("breakButton"),
                     tr("Stop at the first node of the next training step"));
    m_step = button(this, tr("Step"), QStringLiteral("stepButton"),
                    tr("Run one node, forward or backward, and stop again (F10)"));
    m_continue = button(this, tr("Continue"), QStringLiteral("continueButton"),
                        tr("Run on to the next breakpoint (F5)"));
    connect(m_break, &QPushButton::clicked, this, &DebuggerPanel::breakClicked);
    connect(m_step, &QPushButton::clicked, this, &DebuggerPanel::stepClicked);
    connect(m_continue, &QPushButton::clicked, this, &DebuggerPanel::continueClicked);
    m_nonfinite = new QCheckBox(tr("Break on NaN/Inf"), this);
    m_nonfinite->setObjectName(QStringLiteral("nonfiniteCheck"));
    m_nonfinite->setToolTip(
        tr("Stop where a node's output or gradient first holds a NaN or an infinity"));
    connect(m_nonfinite, &QCheckBox::toggled, this, &DebuggerPanel::nonfiniteToggled);

    m_nodes = new QListWidget(this);
    m_nodes->setObjectName(QStringLiteral("nodeList"));
    m_nodes->setSelectionMode(QAbstractItemView::NoSelection);
    m_nodes->setToolTip(tr("The forward pass in order; check a node to stop when it is reached"));
    connect(m_nodes, &QListWidget::itemChanged, this, &DebuggerPanel::applyBreakpoints);

    m_tensors = new QComboBox(this);
    m_tensors->setObjectName(QStringLiteral("tensorChooser"));
    m_tensors->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_tensors->setMinimumContentsLength(12);
    connect(m_tensors, &QComboBox::activated, this, &DebuggerPanel::tensorActivated);
    auto *tensorLabel = new QLabel(tr("Tensor"), this);
    tensorLabel->setBuddy(m_tensors);
    m_inspector = new TensorInspector(this);
    m_inspector->setObjectName(QStringLiteral("tensorInspector"));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_break);
    buttons->addWidget(m_step);
    buttons->addWidget(m_continue);
    auto *chooser = new QHBoxLayout;
    chooser->addWidget(tensorLabel);
    chooser->addWidget(m_tensors, 1);
    auto *tensorBox = new QWidget(this);
    auto *tensorLayout = new QVBoxLayout(tensorBox);
    tensorLayout->setContentsMargins(0, 0, 0, 0);
    tensorLayout->addLayout(chooser);
    tensorLayout->addWidget(m_inspector, 1);
    // The node list is short; the tensor takes the rest. The user moves the line between them.
    m_split = new QSplitter(Qt::Vertical, this);
    m_split->setObjectName(QStringLiteral("debuggerSplitter"));
    m_split->setChildrenCollapsible(false);
    m_split->addWidget(m_nodes);
    m_split->addWidget(tensorBox);
    m_split->setStretchFactor(0, 0); // resizing the dock resizes the tensor, not the list
    m_split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_message);
    layout->addLayout(buttons);
    layout->addWidget(m_nonfinite);
    layout->addWidget(m_split, 1);
    setTabOrder(m_break, m_step);
    setTabOrder(m_step, m_continue);
    setTabOrder(m_continue, m_nonfinite);
    setTabOrder(m_nonfinite, m_nodes);
    setTabOrder(m_nodes, m_tensors);
    fitNodeList();
    updateState();
}

void DebuggerPanel::setAttached(bool attached, bool running)
{
    if (!attached || running) {
        m_hasStop = false;
    }
    m_attached = attached;
    m_running = running;
    updateState();
}

void DebuggerPanel::showDebugEvent(const proto::DebugEvent &event)
{
    switch (event.reason()) {
    case proto::DebugEvent::REASON_INSPECTED:
        showTensor(event.tensor());
        break;
    case proto::DebugEvent::REASON_LEFT:
        setAttached(true, true);
        break;
    default:
        showStop(event);
        break;
    }
}

void DebuggerPanel::showStop(const proto::DebugEvent &event)
{
    m_lastStop = event;
    m_attached = true;
    m_running = false;
    m_hasStop = true;
    showNodes(event);
    showTensors(event);
    showTensor(event.tensor());
    updateState();
}

void DebuggerPanel::showNodes(const proto::DebugEvent &event)
{
    QStringList names;
    for (const std::string &node : event.nodes()) {
        names.append(QString::fromStdString(node));
    }
    setNodes(names);
    const int row = static_cast<int>(event.node_index());
    markCurrentNode(row < m_nodes->count() ? row : -1, event.phase());
}

void DebuggerPanel::setNodes(const QStringList &names)
{
    if (names != nodeNames(*m_nodes)) {
        const QSignalBlocker blocker(m_nodes);
        m_nodes->clear();
        for (const QString &name : names) {
            auto *item = new QListWidgetItem(name, m_nodes);
            item->setData(kNodeNameRole, name);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            item->setCheckState(hasBreakpoint(m_settings, name) ? Qt::Checked : Qt::Unchecked);
        }
        m_currentRow = -1;
        fitNodeList();
    }
}

void DebuggerPanel::fitNodeList()
{
    // A small model's nodes all in sight; a big one's list scrolls. The tensor gets the rest.
    const int rows = std::clamp(m_nodes->count(), 3, kNodeRowsInSight);
    const int rowHeight =
        m_nodes->count() > 0 ? m_nodes->sizeHintForRow(0) : m_nodes->fontMetrics().height() + 4;
    const int wanted = rows * rowHeight + 2 * m_nodes->frameWidth() + 2;
    const QList<int> sizes = m_split->sizes();
    const int total = sizes.value(0) + sizes.value(1);
    // Before the first layout the sizes are weights: the list gets little, at least its minimum.
    m_split->setSizes({wanted, total > 2 * wanted ? total - wanted : 10 * wanted});
}

void DebuggerPanel::markCurrentNode(int row, proto::DebugEvent::Phase phase)
{
    const QSignalBlocker blocker(m_nodes);
    QColor highlight = palette().color(QPalette::Highlight);
    highlight.setAlpha(kCurrentRowAlpha);
    for (int i = 0; i < m_nodes->count(); ++i) {
        QListWidgetItem *item = m_nodes->item(i);
        const QString name = item->data(kNodeNameRole).toString();
        QFont font = m_nodes->font();
        font.setBold(i == row);
        item->setFont(font);
        if (i != row) {
            item->setText(name);
            item->setBackground(QBrush());
            continue;
        }
        // ▶ the forward pass reached the node; ◀ the backward pass is at its gradient.
        const bool backward = phase == proto::DebugEvent::PHASE_BACKWARD;
        item->setText(
            QStringLiteral("%1   %2 %3")
                .arg(name, backward ? QStringLiteral("◀") : QStringLiteral("▶"), phaseText(phase)));
        item->setBackground(highlight);
        m_nodes->scrollToItem(item);
    }
    m_currentRow = row;
}

void DebuggerPanel::showTensors(const proto::DebugEvent &event)
{
    const QSignalBlocker blocker(m_tensors);
    m_tensors->clear();
    for (const std::string &tensor : event.tensors()) {
        m_tensors->addItem(QString::fromStdString(tensor));
    }
}

void DebuggerPanel::showTensor(const proto::TensorSnapshot &tensor)
{
    m_inspector->setSnapshot(tensor);
    const QSignalBlocker blocker(m_tensors);
    m_tensors->setCurrentIndex(m_tensors->findText(QString::fromStdString(tensor.name())));
}

void DebuggerPanel::updateState()
{
    const bool stopped = isStopped();
    if (!m_attached) {
        m_status->setText(tr("No run"));
    } else if (m_running) {
        m_status->setText(tr("Running"));
    } else {
        m_status->setText(m_hasStop ? debugStopText(m_lastStop) : tr("Stopped"));
    }
    QString message;
    if (stopped && m_hasStop) {
        message = m_lastStop.message().empty() ? reasonText(m_lastStop)
                                               : QString::fromStdString(m_lastStop.message());
    }
    const bool nonfinite = m_lastStop.reason() == proto::DebugEvent::REASON_NONFINITE;
    m_message->setText(message);
    m_message->setStyleSheet(nonfinite ? errorTextStyle() : QString());
    m_message->setVisible(!message.isEmpty());
    m_break->setEnabled(m_attached && m_running);
    m_step->setEnabled(stopped);
    m_continue->setEnabled(stopped);
    m_tensors->setEnabled(stopped && m_tensors->count() > 0);
    if (!(stopped && m_hasStop)) {
        markCurrentNode(-1, proto::DebugEvent::PHASE_FORWARD);
    }
}

void DebuggerPanel::setSettings(const proto::DebugSettings &settings)
{
    m_settings = settings;
    const QSignalBlocker checkBlocker(m_nonfinite);
    m_nonfinite->setChecked(settings.break_on_nonfinite());
    const QSignalBlocker listBlocker(m_nodes);
    for (int i = 0; i < m_nodes->count(); ++i) {
        QListWidgetItem *item = m_nodes->item(i);
        const bool checked = hasBreakpoint(settings, item->data(kNodeNameRole).toString());
        item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    }
}

void DebuggerPanel::applyBreakpoints()
{
    // The list's checked nodes in forward order, then breakpoints at nodes this list does not
    // have (set for another model, or before the first stop listed the nodes): they stay.
    const QStringList listed = nodeNames(*m_nodes);
    proto::DebugSettings next = m_settings;
    next.clear_break_at_nodes();
    for (int i = 0; i < m_nodes->count(); ++i) {
        if (m_nodes->item(i)->checkState() == Qt::Checked) {
            next.add_break_at_nodes(listed[i].toStdString());
        }
    }
    for (const std::string &node : m_settings.break_at_nodes()) {
        if (!listed.contains(QString::fromStdString(node))) {
            next.add_break_at_nodes(node);
        }
    }
    if (next.SerializeAsString() == m_settings.SerializeAsString()) {
        return;
    }
    m_settings = next;
    emit settingsChanged(m_settings);
}

void DebuggerPanel::nonfiniteToggled(bool checked)
{
    m_settings.set_break_on_nonfinite(checked);
    emit settingsChanged(m_settings);
}

void DebuggerPanel::tensorActivated(int index)
{
    const QString tensor = m_tensors->itemText(index);
    if (tensor.isEmpty() || (!m_inspector->isEmpty() && tensor == m_inspector->name())) {
        return;
    }
    emit inspectRequested(tensor);
}

QString DebuggerPanel::statusText() const
{
    return m_status->text();
}

QString DebuggerPanel::messageText() const
{
    return m_message->text();
}

} // namespace tl::views
