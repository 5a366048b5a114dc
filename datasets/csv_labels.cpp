#include "datasets/csv_labels.h"

#include "datasets/csv_tokenizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tl::datasets::detail {
namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Compares the digit runs starting at a[i] and b[j] by value and moves past them; <0, 0 or >0.
int compareDigitRuns(std::string_view a, std::size_t &i, std::string_view b, std::size_t &j)
{
    while (i + 1 < a.size() && a[i] == '0' && isDigit(a[i + 1])) {
        ++i;
    }
    while (j + 1 < b.size() && b[j] == '0' && isDigit(b[j + 1])) {
        ++j;
    }
    std::size_t endA = i;
    std::size_t endB = j;
    while (endA < a.size() && isDigit(a[endA])) {
        ++endA;
    }
    while (endB < b.size() && isDigit(b[endB])) {
        ++endB;
    }
    int order = 0;
    if (endA - i != endB - j) {
        order = endA - i < endB - j ? -1 : 1;
    } else {
        order = a.substr(i, endA - i).compare(b.substr(j, endB - j));
    }
    i = endA;
    j = endB;
    return order;
}

// Digit runs by value, every other byte by itself; <0, 0 (equal up to leading zeros) or >0.
int naturalCompare(std::string_view a, std::string_view b)
{
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            if (const int order = compareDigitRuns(a, i, b, j); order != 0) {
                return order;
            }
            continue;
        }
        if (a[i] != b[j]) {
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
        }
        ++i;
        ++j;
    }
    const std::size_t restA = a.size() - i;
    const std::size_t restB = b.size() - j;
    return restA == restB ? 0 : (restA < restB ? -1 : 1);
}

// The integer label value of text, or -1 when it is not an integer in [0, kMaxIntegerLabel].
int integerLabel(std::string_view text)
{
    float value = 0.0F;
    if (parseCsvNumber(text, value) != CsvCell::Number || value < 0.0F
        || value > static_cast<float>(kMaxIntegerLabel) || std::floor(value) != value) {
        return -1;
    }
    return static_cast<int>(value);
}

// What naturalLess() compares, worked out once per label.
struct LabelKey
{
    bool isNumber = false;
    float value = 0.0F;
    std::string_view text;
};

LabelKey labelKey(std::string_view text)
{
    LabelKey key;
    key.isNumber = parseCsvNumber(text, key.value) == CsvCell::Number;
    key.text = text;
    return key;
}

bool keyLess(const LabelKey &a, const LabelKey &b)
{
    if (a.isNumber != b.isNumber) {
        return a.isNumber;
    }
    if (a.isNumber && a.value != b.value) {
        return a.value < b.value;
    }
    if (const int order = naturalCompare(a.text, b.text); order != 0) {
        return order < 0;
    }
    return a.text < b.text;
}

} // namespace

bool naturalLess(std::string_view a, std::string_view b)
{
    return keyLess(labelKey(a), labelKey(b));
}

CsvClasses csvClasses(const std::vector<std::string> &texts)
{
    CsvClasses classes;
    classes.indexOf.resize(texts.size());
    int largest = -1;
    bool integers = true;
    for (std::size_t id = 0; id < texts.size() && integers; ++id) {
        const int value = integerLabel(texts[id]);
        integers = value >= 0;
        classes.indexOf[id] = value;
        largest = std::max(largest, value);
    }
    if (integers) {
        for (int k = 0; k <= largest; ++k) {
            classes.names.push_back(std::to_string(k));
        }
        return classes;
    }
    std::vector<LabelKey> keys;
    keys.reserve(texts.size());
    for (const std::string &text : texts) {
        keys.push_back(labelKey(text));
    }
    std::vector<std::size_t> order(texts.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return keyLess(keys[a], keys[b]); });
    for (std::size_t k = 0; k < order.size(); ++k) {
        classes.indexOf[order[k]] = static_cast<std::int64_t>(k);
        classes.names.push_back(texts[order[k]]);
    }
    return classes;
}

} // namespace tl::datasets::detail
