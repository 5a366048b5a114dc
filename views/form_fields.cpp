#include "views/form_fields.h"

#include "views/exact_spin_box.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>

namespace tl::views {

ExactSpinBox *exactField(QWidget *parent,
                         const QString &name,
                         double minimum,
                         double maximum,
                         double singleStep,
                         const QString &special)
{
    auto *box = new ExactSpinBox(parent);
    box->setObjectName(name);
    box->setRange(minimum, maximum);
    box->setSingleStep(singleStep);
    box->setSpecialValueText(special);
    return box;
}

QSpinBox *
countField(QWidget *parent, const QString &name, int minimum, int maximum, const QString &special)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(minimum, maximum);
    box->setGroupSeparatorShown(true);
    box->setSpecialValueText(special);
    return box;
}

QComboBox *enumField(QWidget *parent,
                     const QString &name,
                     std::initializer_list<std::pair<QString, int>> items)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(name);
    for (const auto &[text, value] : items) {
        combo->addItem(text, value);
    }
    return combo;
}

void selectValue(QComboBox *combo, int value)
{
    combo->setCurrentIndex(std::max(0, combo->findData(value)));
}

void setCount(QSpinBox *box, std::uint64_t value)
{
    const auto maximum = static_cast<std::uint64_t>(box->maximum());
    box->setValue(static_cast<int>(std::min(value, maximum)));
}

void onAnyEdit(std::initializer_list<QWidget *> fields,
               QObject *context,
               const std::function<void()> &onEdit)
{
    for (QWidget *field : fields) {
        if (auto *spin = qobject_cast<QSpinBox *>(field)) {
            QObject::connect(spin, &QSpinBox::valueChanged, context, onEdit);
        } else if (auto *real = qobject_cast<QDoubleSpinBox *>(field)) {
            QObject::connect(real, &QDoubleSpinBox::valueChanged, context, onEdit);
        } else if (auto *combo = qobject_cast<QComboBox *>(field)) {
            QObject::connect(combo, &QComboBox::currentTextChanged, context, onEdit);
        } else if (auto *check = qobject_cast<QCheckBox *>(field)) {
            QObject::connect(check, &QCheckBox::toggled, context, onEdit);
        } else if (auto *line = qobject_cast<QLineEdit *>(field)) {
            QObject::connect(line, &QLineEdit::textChanged, context, onEdit);
        }
    }
}

} // namespace tl::views
