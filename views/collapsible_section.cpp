#include "views/collapsible_section.h"

#include <QToolButton>
#include <QVBoxLayout>

namespace tl::views {

CollapsibleSection::CollapsibleSection(const QString &title, QWidget *body, QWidget *parent)
    : QWidget(parent)
    , m_title(title)
    , m_header(new QToolButton(this))
    , m_body(body)
{
    m_header->setObjectName(QStringLiteral("sectionHeader"));
    m_header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_header->setAutoRaise(true);
    m_header->setCheckable(true);
    m_header->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_header);
    layout->addWidget(m_body);
    connect(m_header, &QToolButton::toggled, this, &CollapsibleSection::setExpanded);
    setExpanded(true);
}

void CollapsibleSection::setExpanded(bool expanded)
{
    m_header->setChecked(expanded);
    m_header->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_body->setVisible(expanded);
    updateHeader();
}

bool CollapsibleSection::isExpanded() const
{
    return m_header->isChecked();
}

void CollapsibleSection::setSummary(const QString &summary)
{
    m_summary = summary;
    updateHeader();
}

QString CollapsibleSection::headerText() const
{
    return m_header->text();
}

void CollapsibleSection::updateHeader()
{
    // The summary repeats what the open body shows, so only a folded section carries it.
    const bool folded = !m_header->isChecked();
    m_header->setText(folded && !m_summary.isEmpty()
                          ? QStringLiteral("%1 — %2").arg(m_title, m_summary)
                          : m_title);
}

} // namespace tl::views
