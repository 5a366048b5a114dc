#include "views/sample_grid.h"

#include "datasets/dataset_preview.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>

namespace tl::views {
namespace {

constexpr int kThumbSize = 42; // pixels: a 28x28 sample drawn at 1.5x
constexpr int kCaptionHeight = 16;
constexpr int kSpacing = 6;
constexpr int kCellWidth = kThumbSize + 2 * kSpacing + 12;
constexpr int kCellHeight = kThumbSize + kCaptionHeight + kSpacing;
constexpr int kPreferredColumns = 8;

} // namespace

SampleGrid::SampleGrid(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

QImage SampleGrid::renderSample(const std::vector<std::uint8_t> &pixels,
                                int channels,
                                int height,
                                int width)
{
    const auto plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)
        || pixels.size() != plane * static_cast<std::size_t>(channels)) {
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

void SampleGrid::setPreview(const datasets::DatasetPreview &preview)
{
    m_images.clear();
    m_captions.clear();
    for (const datasets::SampleImage &sample : preview.samples) {
        QImage image =
            renderSample(sample.pixels, static_cast<int>(preview.channels),
                         static_cast<int>(preview.height), static_cast<int>(preview.width));
        if (image.isNull()) {
            continue;
        }
        const auto label = static_cast<std::size_t>(sample.label);
        m_images.push_back(std::move(image));
        m_captions.push_back(sample.label >= 0 && label < preview.classNames.size()
                                 ? QString::fromStdString(preview.classNames[label])
                                 : QString::number(sample.label));
    }
    updateGeometry();
    update();
}

void SampleGrid::clear()
{
    m_images.clear();
    m_captions.clear();
    updateGeometry();
    update();
}

int SampleGrid::columnsFor(int width) const
{
    return std::max(1, width / kCellWidth);
}

QSize SampleGrid::sizeHint() const
{
    const int count = std::max(1, thumbnailCount());
    const int columns = std::min(kPreferredColumns, count);
    const int rows = (count + columns - 1) / columns;
    return {columns * kCellWidth, rows * kCellHeight};
}

QSize SampleGrid::minimumSizeHint() const
{
    return {kCellWidth * 2, kCellHeight};
}

void SampleGrid::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), palette().base());
    const int columns = columnsFor(width());
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    painter.setFont(small);
    for (int i = 0; i < thumbnailCount(); ++i) {
        const int x = (i % columns) * kCellWidth;
        const int y = (i / columns) * kCellHeight;
        if (y > height()) {
            break; // rows below the visible area are not drawn
        }
        const QRect thumb(x + (kCellWidth - kThumbSize) / 2, y + kSpacing / 2, kThumbSize,
                          kThumbSize);
        painter.drawImage(thumb, m_images[static_cast<std::size_t>(i)]);
        const QRect caption(x, thumb.bottom() + 1, kCellWidth, kCaptionHeight);
        const QString text = painter.fontMetrics().elidedText(
            m_captions[static_cast<std::size_t>(i)], Qt::ElideRight, kCellWidth - 2);
        painter.drawText(caption, Qt::AlignHCenter | Qt::AlignTop, text);
    }
}

} // namespace tl::views
