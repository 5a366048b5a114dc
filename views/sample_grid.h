#pragma once
// A grid of sample thumbnails with their class names, rendered once from a dataset preview's
// raw CHW pixels into QImages; a class filter shows one class only. A UI-thread widget that
// keeps only the rendered images; its height follows its width, so it sits in a scroll area.

#include <QImage>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

namespace tl::datasets {
struct SampleImage;
}

namespace tl::views {

class SampleGrid : public QWidget
{
    Q_OBJECT

public:
    // The filter value that shows every class.
    static constexpr std::int64_t kAllClasses = -1;

    explicit SampleGrid(QWidget *parent = nullptr);

    // Renders the samples of shape [C, H, W] (1 channel is grey, 3 are RGB planes); label i is
    // captioned classNames[i]. Samples whose pixel count does not match the shape are skipped,
    // not guessed at; other shapes show nothing. The class filter is reset to all classes.
    void setSamples(const std::vector<datasets::SampleImage> &samples,
                    const std::vector<std::int64_t> &shape,
                    const std::vector<std::string> &classNames);
    void clear();
    // Shows only the samples labelled `label` (kAllClasses: all of them).
    void setClassFilter(std::int64_t label);
    std::int64_t classFilter() const { return m_filter; }

    // The shown thumbnails (those passing the filter). One class: in the samples' order. All
    // classes: round robin (the first of each class, then the second of each, ...), so the
    // first rows show every class.
    int thumbnailCount() const { return static_cast<int>(m_shown.size()); }
    const QImage &thumbnail(int i) const;
    const QString &caption(int i) const;
    std::int64_t label(int i) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

    // One sample as an image: grey for 1 channel, RGB for 3; a null image for other shapes.
    static QImage
    renderSample(const std::vector<std::uint8_t> &pixels, int channels, int height, int width);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Thumbnail
    {
        QImage image;
        QString caption;
        std::int64_t label = 0;
    };
    int columnsFor(int width) const;
    void refilter();

    std::vector<Thumbnail> m_thumbnails;
    std::vector<std::size_t> m_shown; // indices into m_thumbnails
    std::int64_t m_filter = kAllClasses;
    int m_thumbSize = 42; // pixels of a thumbnail's longer side
};

} // namespace tl::views
