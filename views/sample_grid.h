#pragma once
// A grid of sample thumbnails with their class names, rendered from a dataset preview's raw
// pixels into QImages. A UI-thread widget; it keeps only the rendered images.

#include <QImage>
#include <QString>
#include <QWidget>

#include <vector>

namespace tl::datasets {
struct DatasetPreview;
}

namespace tl::views {

class SampleGrid : public QWidget
{
    Q_OBJECT

public:
    explicit SampleGrid(QWidget *parent = nullptr);

    // Renders preview.samples (C*H*W bytes each; 1 channel is grey, 3 are RGB planes).
    // Samples whose pixel count does not match C*H*W are skipped, not guessed at.
    void setPreview(const datasets::DatasetPreview &preview);
    void clear();

    int thumbnailCount() const { return static_cast<int>(m_images.size()); }
    const QImage &thumbnail(int i) const { return m_images.at(static_cast<std::size_t>(i)); }
    const QString &caption(int i) const { return m_captions.at(static_cast<std::size_t>(i)); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // One sample as an image: grey for 1 channel, RGB for 3; a null image for other shapes.
    static QImage
    renderSample(const std::vector<std::uint8_t> &pixels, int channels, int height, int width);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int columnsFor(int width) const;

    std::vector<QImage> m_images;
    std::vector<QString> m_captions;
};

} // namespace tl::views
