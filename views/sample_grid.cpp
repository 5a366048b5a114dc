#include "views/sample_grid.h"

#include "datasets/dataset_preview.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

namespace tl::views {
namespace {

// A 28x28 sample is drawn at 1.5x (42 px); large images shrink to at most 72 px.
constexpr double kThumbScale = 1.5;
constexpr int kMinThumb = 42;
constexpr int kMaxThumb = 72;
constexpr int kCaptionHeight = 16;
constexpr int kSpacing = 6;
constexpr int kCaptionRoom = 12; // captions are a little wider than the thumbnail
constexpr int kPreferredColumns = 8;

// The items reordered round robin over their labels: the first of each label (in order of
// label), then the second of each, ...; items of one label keep their order.
template<typename LabelOf>
std::vector<std::size_t> roundRobin(const std::vector<std::size_t> &items, LabelOf labelOf)
{
    std::map<std::int64_t, int> seen;
    std::vector<std::pair<int, std::int64_t>> keys; // (rank within its label, label)
    keys.reserve(items.size());
    for (std::size_t item : items) {
        const std::int64_t label = labelOf(item);
        keys.emplace_back(seen[label]++, label);
    }
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&keys](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
    std::vector<std::size_t> out;
    out.reserve(items.size());
    for (std::size_t k : order) {
        out.push_back(items[k]);
    }
    return out;
}

} // namespace

SampleGrid::SampleGrid(QWidget *parent) : QWidget(parent)
{
    QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    policy.setHeightForWidth(true); // QScrollArea asks heightForWidth() only when this is set
    setSizePolicy(policy);
}

QImage SampleGrid::renderSample(const std::vector<std::uint8_t> &pixels,
                                int channels,
                                int height,
                                int width)
{
    if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)) {
        return {};
    }
    const auto plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (pixels.size() != plane * static_cast<std::size_t>(channels)) {
        return {};
    }
    QImage image(width, height, channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        const std::size_t row = static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
        if (channels == 1) {
            std::copy_n(pixels.data() + row, width, image.scanLine(y));
            continue;
        }
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const std::size_t at = row + static_cast<std::size_t>(x);
            line[x] = qRgb(pixels[at], pixels[plane + at], pixels[2 * plane + at]);
        }
    }
    return image;
}

void SampleGrid::setSamples(const std::vector<datasets::SampleImage> &samples,
                            const std::vector<std::int64_t> &shape,
                            const std::vector<std::string> &classNames)
{
    m_thumbnails.clear();
    m_filter = kAllClasses;
    // Shapes beyond int range cannot be images worth showing; renderSample rejects them as <= 0.
    const auto dim = [&shape](std::size_t i) {
        return shape.size() == 3 && shape[i] > 0 && shape[i] <= 65536 ? static_cast<int>(shape[i])
                                                                      : 0;
    };
    const int channels = dim(0);
    const int height = dim(1);
    const int width = dim(2);
    const double side = std::max(height, width) * kThumbScale;
    m_thumbSize = std::clamp(static_cast<int>(side), kMinThumb, kMaxThumb);
    for (const datasets::SampleImage &sample : samples) {
        QImage image = renderSample(sample.pixels, channels, height, width);
        if (image.isNull()) {
            continue;
        }
        const auto label = static_cast<std::size_t>(sample.label);
        QString caption = sample.label >= 0 && label < classNames.size()
                              ? QString::fromStdString(classNames[label])
                              : QString::number(sample.label);
        m_thumbnails.push_back({std::move(image), std::move(caption), sample.label});
    }
    refilter();
}

void SampleGrid::clear()
{
    m_thumbnails.clear();
    m_filter = kAllClasses;
    refilter();
}

void SampleGrid::setClassFilter(std::int64_t label)
{
    m_filter = label < 0 ? kAllClasses : label;
    refilter();
}

void SampleGrid::refilter()
{
    m_shown.clear();
    for (std::size_t i = 0; i < m_thumbnails.size(); ++i) {
        if (m_filter == kAllClasses || m_thumbnails[i].label == m_filter) {
            m_shown.push_back(i);
        }
    }
    if (m_filter == kAllClasses) {
        // The first rows show every class rather than 32 samples of class 0.
        m_shown = roundRobin(m_shown, [this](std::size_t i) { return m_thumbnails[i].label; });
    }
    updateGeometry();
    update();
}

const QImage &SampleGrid::thumbnail(int i) const
{
    return m_thumbnails.at(m_shown.at(static_cast<std::size_t>(i))).image;
}

const QString &SampleGrid::caption(int i) const
{
    return m_thumbnails.at(m_shown.at(static_cast<std::size_t>(i))).caption;
}

std::int64_t SampleGrid::label(int i) const
{
    return m_thumbnails.at(m_shown.at(static_cast<std::size_t>(i))).label;
}

int SampleGrid::columnsFor(int width) const
{
    return std::max(1, width / (m_thumbSize + 2 * kSpacing + kCaptionRoom));
}

int SampleGrid::heightForWidth(int width) const
{
    const int columns = columnsFor(width);
    const int rows = (std::max(1, thumbnailCount()) + columns - 1) / columns;
    return rows * (m_thumbSize + kCaptionHeight + kSpacing);
}

QSize SampleGrid::sizeHint() const
{
    const int cellWidth = m_thumbSize + 2 * kSpacing + kCaptionRoom;
    const int width = cellWidth * std::min(kPreferredColumns, std::max(1, thumbnailCount()));
    return {width, heightForWidth(width)};
}

QSize SampleGrid::minimumSizeHint() const
{
    return {(m_thumbSize + 2 * kSpacing + kCaptionRoom) * 2, m_thumbSize + kCaptionHeight};
}

void SampleGrid::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), palette().base());
    const int columns = columnsFor(width());
    // The columns share the whole width, so no empty strip is left on the right.
    const int cellWidth = std::max(width() / columns, m_thumbSize + 2 * kSpacing);
    const int cellHeight = m_thumbSize + kCaptionHeight + kSpacing;
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    painter.setFont(small);
    painter.setPen(palette().color(QPalette::Text));
    for (int i = 0; i < thumbnailCount(); ++i) {
        const QRect cell((i % columns) * cellWidth, (i / columns) * cellHeight, cellWidth,
                         cellHeight);
        if (!cell.intersects(event->rect())) {
            continue; // in a scroll area most cells are off screen
        }
        const QImage &image = thumbnail(i);
        const QSize fitted = image.size().scaled(m_thumbSize, m_thumbSize, Qt::KeepAspectRatio);
        const QRect thumb(cell.x() + (cellWidth - fitted.width()) / 2,
                          cell.y() + kSpacing / 2 + (m_thumbSize - fitted.height()) / 2,
                          fitted.width(), fitted.height());
        // Big images are shrunk smoothly; small ones are enlarged with visible pixels.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, image.width() > fitted.width());
        painter.drawImage(thumb, image);
        const QRect captionRect(cell.x(), cell.y() + kSpacing / 2 + m_thumbSize + 1, cellWidth,
                                kCaptionHeight);
        const QString text =
            painter.fontMetrics().elidedText(caption(i), Qt::ElideRight, cellWidth - 2);
        painter.drawText(captionRect, Qt::AlignHCenter | Qt::AlignTop, text);
    }
}

} // namespace tl::views
