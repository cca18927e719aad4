// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <QVariant>
#include <optional>

namespace dl {

/// A parser for Python literals as SCIN stores them inside CSV fields, e.g. `['Eczema', 'Psoriasis']`,
/// `[4, 3, 5]` or `{'Eczema': 0.69, 'Psoriasis': 0.08}` (the subset of Python's ast.literal_eval that
/// such data uses).
///
/// Accepted: strings in single or double quotes with the escapes \\ \' \" \n \t \r \a \b \f \v \0-\777
/// \xNN \uNNNN \UNNNNNNNN and backslash-newline (any other backslash is kept literally, as in Python);
/// integers; floats (3.0, 3., .5, 1e-3; nan and inf are refused); True, False, None; lists, tuples and
/// dicts, nested, with whitespace anywhere and optional trailing commas. Errors name the 1-based
/// character position and what was expected.
class PyLiteral
{
    Q_DECLARE_TR_FUNCTIONS(dl::PyLiteral)

public:
    /// Parses one literal: str -> QString, int -> qlonglong, float -> double, True/False -> bool,
    /// None -> a null QVariant, list/tuple -> QVariantList, dict -> QVariantList of QVariantList{key, value}
    /// pairs in source order (a repeated key keeps its first position and takes the last value, as in
    /// Python). Empty text is an error.
    static std::optional<QVariant> parse(QStringView text, QString *error);

    /// A list or tuple of strings. Empty (or blank) text gives an empty list.
    static std::optional<QStringList> parseStringList(QStringView text, QString *error);

    /// A list or tuple of numbers (ints or floats; booleans are refused). Empty text gives an empty list.
    static std::optional<QList<double>> parseNumberList(QStringView text, QString *error);

    /// A dict from strings to numbers, in source order. Empty text gives an empty dict.
    static std::optional<QList<QPair<QString, double>>> parseStringNumberDict(
        QStringView text, QString *error);
};

} // namespace dl
