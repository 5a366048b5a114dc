#include "views/graph_panel.h"

#include "views/graph_view.h"

#include <QAction>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace tl::views {
namespace {

// A label that ends a text too long for it with "…" instead of cutting it mid-word.
class ElidingLabel : public QLabel
{
public:
    using QLabel::QLabel;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        const QRect area = contentsRect();
        painter.drawText(area, Qt::AlignLeft | Qt::AlignVCenter,
                         fontMetrics().elidedText(text(), Qt::ElideRight, area.width()));
    }
};

QToolButton *toolButton(QWidget *parent, const QString &name, const QString &tip)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setToolTip(tip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

GraphPanel::GraphPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new ElidingLabel(this))
    , m_search(new QLineEdit(this))
    , m_matches(new QLabel(this))
    , m_banner(new QLabel(this))
    , m_view(new GraphView(this))
{
    setObjectName(QStringLiteral("graphPanel"));
    m_title->setObjectName(QStringLiteral("graphTitle"));
    // A long title gives way to the search field; the tooltip keeps all of it.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_search->setObjectName(QStringLiteral("graphSearch"));
    m_search->setPlaceholderText(tr("Find a node by name or op (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(200);
    m_search->setMaximumWidth(320);
    m_previous =
        toolButton(this, QStringLiteral("graphFindPrevious"), tr("Previous match (Shift+Enter)"));
    m_previous->setArrowType(Qt::UpArrow);
    m_next = toolButton(this, QStringLiteral("graphFindNext"), tr("Next match (Enter)"));
    m_next->setArrowType(Qt::DownArrow);
    m_matches->setObjectName(QStringLiteral("graphMatches"));
    m_matches->setMinimumWidth(m_matches->fontMetrics().horizontalAdvance(tr("888 of 888")));
    QToolButton *zoomOut =
        toolButton(this, QStringLiteral("graphZoomOut"), tr("Zoom out (Ctrl+-)"));
    zoomOut->setText(QStringLiteral("−"));
    QToolButton *zoomIn = toolButton(this, QStringLiteral("graphZoomIn"), tr("Zoom in (Ctrl+=)"));
    zoomIn->setText(QStringLiteral("+"));
    QToolButton *fit =
        toolButton(this, QStringLiteral("graphFit"), tr("Fit the graph (F, Ctrl+0)"));
    fit->setText(tr("Fit"));
    m_banner->setObjectName(QStringLiteral("graphBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral(
        "background: #fff3cd; color: #6b4e00; border: 1px solid #f0d77a; padding: 4px 8px;"));
    m_banner->hide();

    auto *tools = m_tools = new QHBoxLayout;
    tools->setContentsMargins(6, 4, 6, 4);
    tools->addWidget(m_title, 1);
    tools->addWidget(m_search);
    tools->addWidget(m_previous);
    tools->addWidget(m_next);
    tools->addWidget(m_matches);
    tools->addSpacing(12);
    tools->addWidget(zoomOut);
    tools->addWidget(zoomIn);
    tools->addWidget(fit);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(tools);
    layout->addWidget(m_banner);
    layout->addWidget(m_view, 1);

    connect(m_search, &QLineEdit::textChanged, this, &GraphPanel::runSearch);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        // Enter: next; Shift+Enter: previous (returnPressed does not say which, the app does).
        if (QGuiApplication::keyboardModifiers() & Qt::ShiftModifier) {
            m_view->findPrevious();
        } else {
            m_view->findNext();
        }
        showMatchCount();
    });
    connect(m_previous, &QToolButton::clicked, this, [this] {
        m_view->findPrevious();
        showMatchCount();
    });
    connect(m_next, &QToolButton::clicked, this, [this] {
        m_view->findNext();
        showMatchCount();
    });
    connect(zoomOut, &QToolButton::clicked, m_view, &GraphView::zoomOut);
    connect(zoomIn, &QToolButton::clicked, m_view, &GraphView::zoomIn);
    connect(fit, &QToolButton::clicked, m_view, &GraphView::fitToView);
    // A new layout (a file opened, a group toggled) changes what matches.
    connect(m_view, &GraphView::selectionChanged, this, &GraphPanel::showMatchCount);
    connect(m_view, &GraphView::graphShown, this, &GraphPanel::showMatchCount);
    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    showMatchCount();
}

void GraphPanel::setTitle(const QString &text)
{
    m_title->setText(text);
    m_title->setToolTip(text);
}

QString GraphPanel::title() const
{
    return m_title->text();
}

void GraphPanel::setBanner(const QString &text)
{
    m_banner->setText(text);
    m_banner->setVisible(!text.isEmpty());
}

QString GraphPanel::banner() const
{
    return m_banner->text();
}

QString GraphPanel::matchText() const
{
    return m_matches->text();
}

void GraphPanel::addModelAction(QAction *action)
{
    auto *button = new QToolButton(this);
    button->setObjectName(action->objectName() + QStringLiteral("Button"));
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_tools->addSpacing(12);
    m_tools->addWidget(button);
}

void GraphPanel::runSearch()
{
    m_view->search(m_search->text());
    showMatchCount();
}

void GraphPanel::showMatchCount()
{
    const int count = m_view->matchCount();
    const bool searching = !m_search->text().trimmed().isEmpty();
    m_previous->setEnabled(count > 0);
    m_next->setEnabled(count > 0);
    if (!searching) {
        m_matches->clear();
    } else if (count == 0) {
        m_matches->setText(tr("No match"));
    } else {
        m_matches->setText(tr("%1 of %2").arg(std::max(m_view->currentMatch(), 0) + 1).arg(count));
    }
}

} // namespace tl::views
