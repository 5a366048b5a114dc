#pragma once
// Small factories for the settings forms (views/ internal): spin boxes named for tests and
// scripts, with a special text for the protocol's "0 = default" values, and one way to hear
// that any field of a form was edited. UI thread.

#include <QString>

#include <cstdint>
#include <functional>
#include <initializer_list>

class QComboBox;
class QObject;
class QSpinBox;
class QWidget;

namespace tl::views {

class ExactSpinBox;

// A double field in [minimum, maximum]; special is shown at minimum (e.g. "default (0.9)").
ExactSpinBox *exactField(QWidget *parent,
                         const QString &name,
                         double minimum,
                         double maximum,
                         double singleStep,
                         const QString &special = {});

// A count field in [minimum, maximum]; special is shown at minimum (e.g. "each epoch").
QSpinBox *countField(
    QWidget *parent, const QString &name, int minimum, int maximum, const QString &special = {});

// A combo box of (text, enum value) items.
QComboBox *enumField(QWidget *parent,
                     const QString &name,
                     std::initializer_list<std::pair<QString, int>> items);

// Selects the item holding value; an unknown value (a newer protocol's) selects the first.
void selectValue(QComboBox *combo, int value);

// A uint64 shown in a QSpinBox (int): clamped to its range.
void setCount(QSpinBox *box, std::uint64_t value);

// Calls onEdit whenever one of the fields (spin boxes, combo boxes, check boxes, line edits)
// changes, by the user or by code.
void onAnyEdit(std::initializer_list<QWidget *> fields,
               QObject *context,
               const std::function<void()> &onEdit);

} // namespace tl::views
