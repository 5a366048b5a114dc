#include "views/busy_indicator.h"

#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>

namespace tl::views {

BusyIndicator::BusyIndicator(QWidget *parent)
    : QWidget(parent)
    , m_bar(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("busyIndicator"));
    m_cancel->setObjectName(QStringLiteral("busyCancel"));
    m_bar->setRange(0, 0); // no fraction is known: a busy bar
    m_bar->setMaximumWidth(160);
    m_bar->setMaximumHeight(14);
    m_bar->setTextVisible(false);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    m_delay.setSingleShot(true);
    m_delay.setInterval(kShowDelayMs);
    connect(&m_delay, &QTimer::timeout, this, &QWidget::show);
    connect(m_cancel, &QPushButton::clicked, this, &BusyIndicator::cancelClicked);
    hide();
}

void BusyIndicator::start(const QString &what)
{
    m_what = what;
    m_bar->setToolTip(what);
    m_busy = true;
    if (isHidden()) {
        m_delay.start();
    }
}

void BusyIndicator::finish()
{
    m_busy = false;
    m_delay.stop();
    hide();
}

} // namespace tl::views
