// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace dl {

class Taxonomy;

/// How stored label values read on the QA screens: "Yes", "Blurry", "IV", "Not gradable",
/// condition names from the taxonomy. Values a field does not know are shown as stored.
class ValueText
{
    Q_DECLARE_TR_FUNCTIONS(dl::ValueText)

public:
    /// The text of `value` in `field` (a LabelFields name, "diagnosis", or a
    /// "reference.<field>" name). An empty value reads as an empty string.
    static QString display(const QString &field, const QString &value, const Taxonomy &taxonomy);
    /// The same with the built-in taxonomy.
    static QString display(const QString &field, const QString &value);

    /// The values a QA lead can choose for a consensus field, in the order of the label form
    /// (empty for "diagnosis": its values are conditions).
    static QStringList choices(const QString &field);

    /// A statistic as the QA tables show it: three decimals, never "-0.000".
    static QString statistic(double value);
    /// What a table shows for a value that is not defined (an em dash).
    static QString missing();

    /// True for the fields that hold condition ids (diagnosis, diagnosis_1 .. 3).
    static bool isDiagnosisField(const QString &field);
};

} // namespace dl
