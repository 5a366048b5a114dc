#include "views/sample_browser.h"

#include "datasets/dataset_preview.h"
#include "views/sample_grid.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace tl::views {

SampleBrowser::SampleBrowser(QWidget *parent) : QWidget(parent)
{
    m_classes = new QComboBox(this);
    m_classes->setObjectName(QStringLiteral("sampleClassChooser"));
    m_classes->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("sampleCount"));
    m_grid = new SampleGrid(this);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_grid);

    auto *chooserRow = new QHBoxLayout;
    chooserRow->addWidget(new QLabel(tr("Class:"), this));
    chooserRow->addWidget(m_classes);
    chooserRow->addStretch();
    chooserRow->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(chooserRow);
    layout->addWidget(scroll, 1);
    connect(m_classes, &QComboBox::currentIndexChanged, this, &SampleBrowser::onClassChosen);
    clear();
}

void SampleBrowser::setSamples(const std::vector<datasets::SampleImage> &samples,
                               const std::vector<std::int64_t> &shape,
                               const std::vector<std::string> &classNames)
{
    m_grid->setSamples(samples, shape, classNames);
    const QSignalBlocker blocker(m_classes); // the grid is already showing all classes
    m_classes->clear();
    m_classes->addItem(tr("All classes"), QVariant::fromValue<qint64>(SampleGrid::kAllClasses));
    for (std::size_t i = 0; i < classNames.size(); ++i) {
        m_classes->addItem(
            QStringLiteral("%1  %2").arg(i).arg(QString::fromStdString(classNames[i])),
            QVariant::fromValue<qint64>(static_cast<qint64>(i)));
    }
    m_classes->setEnabled(!classNames.empty());
    onClassChosen(0);
}

void SampleBrowser::clear()
{
    setSamples({}, {}, {});
}

void SampleBrowser::showClass(std::int64_t label)
{
    const int index = m_classes->findData(QVariant::fromValue<qint64>(label));
    m_classes->setCurrentIndex(index < 0 ? 0 : index);
}

void SampleBrowser::onClassChosen(int index)
{
    const qint64 label =
        index < 0 ? SampleGrid::kAllClasses : m_classes->itemData(index).value<qint64>();
    m_grid->setClassFilter(label);
    const int shown = m_grid->thumbnailCount();
    m_count->setText(shown == 1 ? tr("1 sample shown") : tr("%1 samples shown").arg(shown));
}

} // namespace tl::views
