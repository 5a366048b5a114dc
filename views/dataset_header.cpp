#include "views/dataset_header.h"

#include "base/number_text.h"
#include "datasets/dataset_loader.h"
#include "datasets/dataset_summary.h"

#include <QFileInfo>
#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>

#include <algorithm>

namespace tl::views {
namespace {

constexpr int kSourcesNamed = 2; // more sources than this are counted, not named
// Amber that stays readable on a light background.
const QString kWarningStyle = QStringLiteral("color: #a15c00;");

QString grouped(std::int64_t value)
{
    return QString::fromStdString(base::groupedDigits(value));
}

// "idx" and "cifar-100" or "NumPy" and "npz": the reader's own name is added when it says more.
QString formatText(const proto::DatasetSpec &spec, const datasets::DatasetSummary &summary)
{
    QString display = QString::fromUtf8(datasets::formatDisplayName(spec.format()));
    const QString own = QString::fromStdString(summary.format);
    const auto plain = [](QString text) {
        return text.remove(QLatin1Char('-')).remove(QLatin1Char(' ')).toLower();
    };
    if (own.isEmpty() || plain(own) == plain(display)) {
        return display;
    }
    return QStringLiteral("%1 (%2)").arg(display, own);
}

QString valuesText(const std::vector<datasets::ValueStats> &channels,
                   double datasets::ValueStats::*field)
{
    QStringList values;
    for (const datasets::ValueStats &stats : channels) {
        values << QString::number(stats.*field, 'f', 4);
    }
    return values.join(QStringLiteral(" / "));
}

} // namespace

QString formatAndSourcesText(const proto::DatasetSpec &spec,
                             const datasets::DatasetSummary &summary)
{
    QStringList names;
    for (std::size_t i = 0; i < summary.sources.size() && i < kSourcesNamed; ++i) {
        names << QFileInfo(QString::fromStdString(summary.sources[i])).fileName();
    }
    QString sources = names.join(QStringLiteral(", "));
    if (summary.sources.size() > kSourcesNamed) {
        const auto more = static_cast<int>(summary.sources.size()) - kSourcesNamed;
        sources += QObject::tr(" and %1 more").arg(more);
    }
    const QString format = formatText(spec, summary);
    return sources.isEmpty() ? format : QStringLiteral("%1 · %2").arg(format, sources);
}

QString samplesText(const datasets::DatasetSummary &summary)
{
    QStringList dims;
    for (std::int64_t dim : summary.sampleShape) {
        dims << QString::number(dim);
    }
    const QString type = QString::fromUtf8(datasets::valueTypeName(summary.valueType));
    const QString samples =
        summary.sampleShape.size() == 3
            ? QObject::tr("%1 %2 images").arg(dims.join(QStringLiteral("×")), type)
        : summary.sampleShape.size() == 1
            ? QObject::tr("%1 %2 features").arg(grouped(summary.sampleShape[0]), type)
            : QObject::tr("[%1] %2 samples").arg(dims.join(QStringLiteral(", ")), type);
    const auto classes = static_cast<int>(summary.classNames.size());
    const QString memory = QString::fromStdString(base::byteSizeText(summary.memoryBytes));
    // Without a loaded translation tr() does not pluralise "%n": English plurals are spelled out.
    const QString classText =
        classes == 1 ? QObject::tr("1 class") : QObject::tr("%1 classes").arg(classes);
    return QStringLiteral("%1 · %2 · %3")
        .arg(samples, classText, QObject::tr("%1 in memory").arg(memory));
}

QString splitsText(const datasets::DatasetSummary &summary)
{
    QStringList parts;
    bool hasTest = false;
    for (const datasets::SplitSummary &split : summary.splits) {
        parts << QStringLiteral("%1 %2").arg(QString::fromStdString(split.name),
                                             grouped(split.count));
        hasTest = hasTest || split.name == "test";
    }
    QString text = parts.join(QStringLiteral(" · "));
    if (hasTest) {
        text += summary.sourceHadTestSplit ? QObject::tr(" (the source's own test split)")
                                           : QObject::tr(" (test drawn from the samples)");
    }
    return text;
}

QString channelStatsText(const datasets::DatasetSummary &summary)
{
    if (summary.sampleShape.size() != 3 || summary.channels.empty()) {
        return {};
    }
    const bool one = summary.channels.size() == 1;
    return QObject::tr("%1 %2 · std %3 (scaled to [0, 1])")
        .arg(one ? QObject::tr("pixel mean") : QObject::tr("channel means"),
             valuesText(summary.channels, &datasets::ValueStats::mean),
             valuesText(summary.channels, &datasets::ValueStats::std));
}

DatasetHeader::DatasetHeader(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("datasetTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings = new QLabel(this);
    m_warnings->setObjectName(QStringLiteral("datasetWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setStyleSheet(kWarningStyle);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_warnings);
    clear();
}

void DatasetHeader::setDataset(const proto::DatasetSpec &spec,
                               const datasets::DatasetSummary &summary)
{
    m_title->setText(QString::fromStdString(summary.name.empty() ? spec.name() : summary.name));
    QStringList lines = {formatAndSourcesText(spec, summary), samplesText(summary),
                         splitsText(summary)};
    if (QString stats = channelStatsText(summary); !stats.isEmpty()) {
        lines << stats;
    }
    m_summary->setText(lines.join(QLatin1Char('\n')));
    QStringList sources;
    for (const std::string &source : summary.sources) {
        sources << QString::fromStdString(source);
    }
    m_summary->setToolTip(sources.join(QLatin1Char('\n')));
    QStringList warnings;
    for (const std::string &warning : summary.warnings) {
        warnings << QStringLiteral("⚠ %1").arg(QString::fromStdString(warning));
    }
    m_warnings->setText(warnings.join(QLatin1Char('\n')));
    m_warnings->setVisible(!warnings.isEmpty());
}

void DatasetHeader::clear()
{
    m_title->setText(tr("No dataset loaded"));
    m_summary->setText(tr("Drop a dataset anywhere on the window: an MNIST-style folder or its idx "
                          "files, CIFAR batches, a CSV file, NumPy .npy/.npz arrays or a folder "
                          "of images with one subfolder per class. Or use File ▸ Open Dataset…"));
    m_summary->setToolTip({});
    m_warnings->clear();
    m_warnings->setVisible(false);
}

QString DatasetHeader::title() const
{
    return m_title->text();
}

QString DatasetHeader::summaryText() const
{
    return m_summary->text();
}

QString DatasetHeader::warningsText() const
{
    return m_warnings->text();
}

} // namespace tl::views
