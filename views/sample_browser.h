#pragma once
// The image samples of a dataset preview: a "class" chooser (all classes or one, to spot-check
// its samples) above a scrolling SampleGrid. A UI-thread widget fed preview structs.

#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

class QComboBox;
class QLabel;

namespace tl::datasets {
struct SampleImage;
}

namespace tl::views {

class SampleGrid;

class SampleBrowser : public QWidget
{
    Q_OBJECT

public:
    explicit SampleBrowser(QWidget *parent = nullptr);

    // Shows the samples of shape [C, H, W] with all classes chosen.
    void setSamples(const std::vector<datasets::SampleImage> &samples,
                    const std::vector<std::int64_t> &shape,
                    const std::vector<std::string> &classNames);
    void clear();
    // Chooses one class (its label) or SampleGrid::kAllClasses, as the chooser does.
    void showClass(std::int64_t label);

    SampleGrid *grid() const { return m_grid; }
    QComboBox *classChooser() const { return m_classes; }

private:
    void onClassChosen(int index);

    QComboBox *m_classes = nullptr;
    QLabel *m_count = nullptr;
    SampleGrid *m_grid = nullptr;
};

} // namespace tl::views
